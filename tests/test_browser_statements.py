"""Statements in the browser: the member finds their last statement on the account page,
the owner previews a member's statement in both languages from Admin → Customers; axe-core
finds no accessibility problem on those pages, in both themes."""

from __future__ import annotations

import pytest

from hooks import add_months, today
from loyalty_plugins.statements import service, settings
from storefront.extensions import db
from tests.conftest import Shop
from tests.points_support import loyalty_app, member
from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.test_browser import TIMEOUT_MS
from tests.test_browser_loyalty import log_in
from tests.test_browser_themes import axe_script, run_axe
from tests.test_statements import grant

pytestmark = BROWSER_ON_SQLITE


@pytest.mark.parametrize("theme", ["default", "market"])
def test_member_finds_the_statement_and_owner_previews_it(browser, make_app, theme):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    script = axe_script()
    app = loyalty_app(make_app, plugins=("points", "statements"), THEME=theme)
    shop = Shop(app)
    _, uid = member(app, shop)
    grant(app, uid, 120, "test:browser")
    shop.create_user("owner@example.com", role="owner", name="Olivia")
    with app.app_context():  # this month's statement, as the job sends it next month
        service.send_due(settings.current(), day=add_months(today().replace(day=1), 1))
        db.session.commit()
    findings = {}
    with live_server(app) as server:
        context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "mia@example.com")
        page.goto(server("/account"))
        expect(page.get_by_test_id("statement-last")).to_contain_text("Your statement for")
        findings["account"] = run_axe(page, script)
        page.get_by_role("link", name="Your messages").click()
        expect(page.locator("main")).to_contain_text("Your statement for")
        context.close()
        context = browser.new_context(bypass_csp=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "owner@example.com")
        page.goto(server("/admin/customers"))
        page.get_by_test_id(f"customer-{uid}").get_by_role("link").first.click()
        page.get_by_role("link", name="Statement preview").click()
        expect(page.get_by_test_id("statement-member")).to_contain_text("mia@example.com")
        expect(page.get_by_test_id("statement-preview-en")).to_contain_text("Hello Mia,")
        expect(page.get_by_test_id("statement-preview-es")).to_contain_text("Hola, Mia:")
        findings["preview"] = run_axe(page, script)
        context.close()
    assert not any(findings.values()), findings
