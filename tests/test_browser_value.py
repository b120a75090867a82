"""What shoppers earn, in the browser: a Gold member's product page shows the points to earn
and the Gold price, a guest's the points joining would give with a link to sign up (which
comes back to the product); axe-core finds no accessibility problem on either, in both
themes."""

from __future__ import annotations

import pytest

from tests.conftest import Shop
from tests.points_support import loyalty_app, member
from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.test_browser import TIMEOUT_MS
from tests.test_browser_loyalty import log_in
from tests.test_browser_themes import axe_script, run_axe
from tests.test_shopper_value import LADDER, SKU, pay, place

pytestmark = BROWSER_ON_SQLITE


@pytest.mark.parametrize("theme", ["default", "market"])
def test_product_page_shows_a_members_points_and_a_guests_join_and_earn(browser, make_app, theme):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    script = axe_script()
    app = loyalty_app(make_app, plugins=("points", "tiers"),
                      settings={"tiers": {"ladder": LADDER}}, THEME=theme)
    shop = Shop(app)
    client, _ = member(app, shop)
    pay(app, place(app, shop, client, quantity=2))  # Gold: 10% off, 1.5 points a euro
    product = "/products/" + shop.product(SKU).slug
    findings = {}
    with live_server(app) as server:
        context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(server(product))
        join = page.get_by_test_id("points-join")
        expect(join).to_contain_text("Join and earn 69 points with this product.")
        findings["guest"] = run_axe(page, script)
        join.get_by_role("link", name="Create an account").click()
        expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
        assert page.url.endswith("/register?next=" + product.replace("/", "%2F")) or \
            page.url.endswith("/register?next=" + product)
        context.close()
        context = browser.new_context(bypass_csp=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "mia@example.com")
        page.goto(server(product))
        expect(page.get_by_test_id("points-earn")).to_have_text(
            "You earn 93 points with this product.")
        expect(page.get_by_test_id("tier-price")).to_have_text("Gold price: €62.10")
        expect(page.get_by_test_id("points-join")).to_have_count(0)
        findings["member"] = run_axe(page, script)
        context.close()
    assert not any(findings.values()), findings
