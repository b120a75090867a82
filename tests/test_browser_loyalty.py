"""A member in a real browser redeems points at checkout with a tier discount, the order is
paid, and the account page shows the new balance, pending points and tier progress."""

from __future__ import annotations

import re

import pytest

from storefront.extensions import db
from storefront.orders.service import mark_paid
from tests.points_support import give, last_order_id, loyalty_app, member
from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.test_browser import ARTIFACTS, TIMEOUT_MS

pytestmark = BROWSER_ON_SQLITE

LADDER = [
    {"code": "member", "name": "Member", "threshold": "0"},
    {"code": "silver", "name": "Silver", "threshold": "20.00", "discount_percent": "5"},
    {"code": "gold", "name": "Gold", "threshold": "500.00", "discount_percent": "10"},
]


def log_in(page, server, email):
    page.goto(server("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()


def test_member_redeems_points_with_tier_discount_and_sees_the_account(browser, make_app, shop):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    app = loyalty_app(make_app, plugins=("points", "tiers"),
                      settings={"tiers": {"ladder": LADDER}})
    client, uid = member(app, shop, email="mia@example.com", name="Mia")
    shop.add(client, "COF-COL-250", 2)  # 21.80 + shipping: reaches Silver once paid
    shop.checkout(client)
    with app.app_context():
        mark_paid(last_order_id(app))
        db.session.commit()
    give(app, uid, 500, "browser-test")
    shop.create_user("boss@example.com", role="owner", name="Boss")

    with live_server(app) as server:
        context = browser.new_context()
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "mia@example.com")
        expect(page.get_by_test_id("tier-name")).to_have_text("Silver")

        page.goto(server("/products/hand-grinder"))
        page.get_by_role("button", name="Add to cart").click()
        page.get_by_role("link", name="Check out").click()
        panel = page.locator("#points")
        expect(panel).to_contain_text("You have 500 points")
        panel.get_by_label("Points to use").fill("200")
        panel.get_by_role("button", name="Use", exact=True).click()
        summary = page.locator("table.quote tfoot")
        expect(summary).to_contain_text("Club Premium Silver: 5% off")
        expect(summary).to_contain_text("Paid with 200 points")
        expect(page.get_by_test_id("total")).to_have_text("€63.55")  # 69 - 3.45 - 2.00
        page.get_by_label("Full name").fill("Mia Member")
        page.get_by_label("Delivery address").fill("3 Bean Lane")
        page.get_by_role("button", name=re.compile(r"^Place order")).click()
        expect(page.get_by_test_id("order-status")).to_have_text("Awaiting payment")
        number = re.search(r"SF-\d{6}", page.get_by_role("heading", level=1).inner_text())[0]

        # The owner receives the transfer and marks the order paid.
        staff = browser.new_context()
        staff.set_default_timeout(TIMEOUT_MS)
        admin = staff.new_page()
        log_in(admin, server, "boss@example.com")
        admin.goto(server("/admin/orders"))
        admin.get_by_role("link", name=number).click()
        admin.get_by_role("button", name="Mark as paid").click()
        expect(admin.get_by_test_id("order-status")).to_have_text("Paid")
        staff.close()

        page.get_by_role("link", name="My account").click()
        expect(page.get_by_test_id("points-available")).to_have_text("300 points")
        # 21.80 earned 21 points before; 63.55 at Silver (1x) earns 63: 84 pending.
        expect(page.get_by_test_id("points-pending")).to_have_text("84 points")
        expect(page.get_by_test_id("tier-name")).to_have_text("Silver")
        expect(page.get_by_test_id("tier-left")).to_contain_text("more to reach Gold")
        expect(page.locator("#tier progress")).to_be_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "account-loyalty.png"), full_page=True)
        context.close()


def test_owner_adds_tiers_to_the_ladder_with_the_add_a_row_button(browser, make_app, shop):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    app = loyalty_app(make_app, plugins=("points", "tiers"),
                      settings={"tiers": {"ladder": LADDER}})
    shop.create_user("boss@example.com", role="owner", name="Boss")
    with live_server(app) as server:
        context = browser.new_context()
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "boss@example.com")
        page.goto(server("/admin/plugins/tiers"))
        ladder = page.get_by_role("group", name="Tier ladder")
        ladder.get_by_label("Code, row 4").fill("platinum")
        ladder.get_by_label("Name, row 4").fill("Platinum")
        ladder.get_by_label("Threshold, row 4").fill("900.00")
        ladder.get_by_role("button", name="Add a row").click()  # the script's row 5
        ladder.get_by_label("Code, row 5").fill("diamond")
        ladder.get_by_label("Name, row 5").fill("Diamond")
        ladder.get_by_label("Threshold, row 5").fill("2000.00")
        ladder.get_by_label("Flags, row 5").fill("early_access, concierge")
        ladder.get_by_label("Remove row 2").check()
        page.get_by_role("button", name="Save settings").click()
        expect(page.locator(".flash.success")).to_contain_text("tiers: settings saved.")
        ladder = page.get_by_role("group", name="Tier ladder")
        expect(ladder.get_by_label("Code, row 2")).to_have_value("gold")
        expect(ladder.get_by_label("Code, row 4")).to_have_value("diamond")
        expect(ladder.get_by_label("Flags, row 4")).to_have_value("early_access, concierge")
        context.close()
