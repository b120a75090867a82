"""The welcome gift in the browser: the member sees it in the cart and on the account page,
the owner previews the message in both languages; axe-core finds no accessibility problem on
those pages, in both themes."""

from __future__ import annotations

import pytest

from storefront.plugins.state import save_settings
from tests.conftest import Shop
from tests.points_support import loyalty_app, member
from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.test_browser import TIMEOUT_MS
from tests.test_browser_loyalty import log_in
from tests.test_browser_themes import axe_script, run_axe
from tests.test_welcome import REWARD

pytestmark = BROWSER_ON_SQLITE


@pytest.mark.parametrize("theme", ["default", "market"])
def test_member_sees_the_gift_and_owner_previews_the_message(browser, make_app, theme):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    script = axe_script()
    app = loyalty_app(make_app, plugins=("welcome", "rewards"), THEME=theme)
    with app.app_context():
        save_settings("welcome", REWARD, actor="test")
    shop = Shop(app)
    member(app, shop)
    shop.create_user("owner@example.com", role="owner", name="Olivia")
    findings = {}
    with live_server(app) as server:
        context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "mia@example.com")
        page.goto(server("/account"))
        expect(page.get_by_test_id("rewards")).to_contain_text(
            "Welcome gift: 10% off your next order, until")
        findings["account"] = run_axe(page, script)
        page.goto(server("/products/" + shop.product("EQP-GRD-01").slug))
        page.get_by_role("button", name="Add to cart").first.click()
        page.goto(server("/cart"))
        expect(page.locator("tr.adjustment")).to_contain_text("Welcome gift: 10% off, until")
        findings["cart"] = run_axe(page, script)
        context.close()
        context = browser.new_context(bypass_csp=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "owner@example.com")
        page.goto(server("/plugins/welcome/preview"))
        expect(page.get_by_test_id("welcome-preview-en")).to_contain_text("Hello Olivia,")
        expect(page.get_by_test_id("welcome-preview-es")).to_contain_text("Hola, Olivia:")
        findings["preview"] = run_axe(page, script)
        context.close()
    assert not any(findings.values()), findings
