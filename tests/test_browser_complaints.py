"""Complaints in the browser: a member files one with a picture, staff answer it and resolve
it, the member reads the answer and rates it; axe-core finds no accessibility problem on the
pages on the way, in both themes."""

from __future__ import annotations

import pytest

from tests.complaints_support import PNG, complaints_app
from tests.conftest import Shop
from tests.points_support import member
from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.test_browser import TIMEOUT_MS
from tests.test_browser_loyalty import log_in
from tests.test_browser_themes import axe_script, run_axe

pytestmark = BROWSER_ON_SQLITE


@pytest.mark.parametrize("theme", ["default", "market"])
def test_member_files_a_complaint_and_staff_answer_it(browser, make_app, tmp_path, theme):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    script = axe_script()
    app = complaints_app(make_app, THEME=theme)
    shop = Shop(app)
    member(app, shop)
    shop.create_user("staff@example.com", role="staff", name="Sam")
    picture = tmp_path / "broken.png"
    picture.write_bytes(PNG)
    findings = {}
    with live_server(app) as server:
        context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "mia@example.com")
        page.goto(server("/account"))
        page.get_by_role("link", name="File a complaint or claim").click()
        findings["form"] = run_axe(page, script)
        page.get_by_label("About", exact=True).select_option("product")
        page.get_by_label("What happened").fill("The grinder arrived with a cracked lid.")
        page.get_by_label("Pictures or documents (optional)").set_input_files(str(picture))
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_test_id("complaint-status")).to_have_text("new")
        expect(page.get_by_test_id("complaint-files")).to_contain_text("broken.png")
        thread_url = page.url
        findings["thread"] = run_axe(page, script)

        staff = browser.new_context(bypass_csp=True)
        staff.set_default_timeout(TIMEOUT_MS)
        desk = staff.new_page()
        log_in(desk, server, "staff@example.com")
        desk.goto(server("/plugins/complaints/staff"))
        findings["list"] = run_axe(desk, script)
        desk.get_by_role("link", name="C-1").click()
        desk.get_by_label("Reply or note").fill("Sorry! A new lid is on its way.")
        desk.get_by_role("button", name="Send").click()
        desk.get_by_label("Status", exact=True).select_option("resolved")
        desk.get_by_role("button", name="Save").click()
        expect(desk.get_by_test_id("staff-status")).to_have_text("resolved")
        findings["staff"] = run_axe(desk, script)
        staff.close()

        page.goto(thread_url)
        expect(page.get_by_test_id("complaint-thread")).to_contain_text(
            "A new lid is on its way.")
        page.get_by_role("button", name="Yes, satisfied").click()
        expect(page.get_by_test_id("complaint-rating")).to_contain_text("You were satisfied")
        findings["rated"] = run_axe(page, script)
        page.goto(server("/account"))
        expect(page.get_by_test_id("complaints-panel")).to_contain_text(
            "A new lid is on its way.")
        findings["account"] = run_axe(page, script)
        context.close()
    assert not any(findings.values()), findings
