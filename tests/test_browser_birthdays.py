"""The birthday form in the browser: a member gives, corrects and removes their birthday on
the account page, with the errors said next to it; the owner previews the greetings; axe-core
finds no accessibility problem on those pages, in both themes."""

from __future__ import annotations

import pytest

from tests.conftest import Shop
from tests.points_support import loyalty_app, member
from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.test_browser import TIMEOUT_MS
from tests.test_browser_loyalty import log_in
from tests.test_browser_themes import axe_script, run_axe

pytestmark = BROWSER_ON_SQLITE


@pytest.mark.parametrize("theme", ["default", "market"])
def test_member_gives_corrects_and_removes_the_birthday(browser, make_app, theme):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    script = axe_script()
    app = loyalty_app(make_app, plugins=("points", "birthdays"), THEME=theme)
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
        shown = page.get_by_test_id("birthday-shown")
        expect(shown).to_contain_text("Tell us your birthday")
        findings["account"] = run_axe(page, script)
        page.get_by_label("Day", exact=True).select_option("29")
        page.get_by_label("Month", exact=True).select_option(label="February")
        page.get_by_label("Year (optional)").fill("2023")
        page.get_by_role("button", name="Save my birthday").click()
        expect(page.get_by_test_id("birthday-error")).to_have_text(
            "2023 was not a leap year: it had no 29 February.")
        expect(shown).to_contain_text("Tell us your birthday")
        year = page.get_by_label("Year (optional)")
        expect(year).to_have_value("2023")  # what they typed is kept, marked as wrong
        expect(year).to_have_attribute("aria-describedby", "birthday-error")
        expect(page.get_by_label("Month", exact=True)).to_have_value("2")
        findings["error"] = run_axe(page, script)
        year.fill("2024")
        page.get_by_role("button", name="Save my birthday").click()
        expect(shown).to_contain_text("Your birthday: February 29, 2024.")
        expect(page.get_by_label("Year (optional)")).to_have_value("2024")
        page.get_by_label("Year (optional)").fill("")  # the year is optional
        page.get_by_role("button", name="Save my birthday").click()
        expect(shown).to_contain_text("Your birthday: February 29.")
        findings["saved"] = run_axe(page, script)
        page.get_by_role("button", name="Remove my birthday").click()
        expect(page.locator("body")).to_contain_text("Your birthday was removed.")
        expect(shown).to_contain_text("Tell us your birthday")
        context.close()
        context = browser.new_context(bypass_csp=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "owner@example.com")
        page.goto(server("/plugins/birthdays/preview"))
        expect(page.get_by_test_id("birthdays-preview-birthday-en")).to_contain_text(
            "Happy birthday, Olivia!")
        expect(page.get_by_test_id("birthdays-preview-anniversary-es")).to_contain_text(
            "Hoy hace 3 años que te uniste al club.")
        findings["preview"] = run_axe(page, script)
        context.close()
    assert not any(findings.values()), findings
