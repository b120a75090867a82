"""In a real browser: a Gold member registers for a members-only event, downloads the .ics
and shows the ticket; a basic member is told to reach Gold; the member card is on the account
page."""

from __future__ import annotations

import re

import pytest

from tests.events_support import GOLD_ONLY_TEXT, events_app, gold_member
from tests.points_support import member
from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.test_browser import ARTIFACTS, TIMEOUT_MS
from tests.test_browser_loyalty import log_in

pytestmark = BROWSER_ON_SQLITE


def test_gold_member_registers_and_basic_member_sees_what_unlocks_it(browser, make_app, tmp_path,
                                                                    shop):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    app = events_app(make_app, tmp_path, plugins=("tiers", "events", "points", "cards"))
    gold_member(app, shop, email="gina@example.com", name="Gina")
    member(app, shop, email="bert@example.com", name="Bert")

    with live_server(app) as server:
        context = browser.new_context(accept_downloads=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "gina@example.com")
        page.get_by_role("link", name="Events").first.click()
        page.get_by_role("link", name="Gold Evening").click()
        expect(page.locator(".event-body")).to_contain_text(GOLD_ONLY_TEXT)
        page.get_by_label("Guests coming with you").select_option("1")
        page.get_by_role("button", name="Register").click()
        expect(page.get_by_test_id("registered")).to_contain_text("registered with 1 guest")

        with page.expect_download() as download_info:
            page.get_by_test_id("ics-link").click()
        download = download_info.value
        assert download.suggested_filename == "gold-evening.ics"
        ics = download.path().read_text()
        assert "BEGIN:VEVENT" in ics and "SUMMARY:Gold Evening" in ics

        page.get_by_role("link", name="Show my ticket").click()
        ticket = page.get_by_test_id("ticket")
        expect(ticket).to_contain_text("Gina + 1 guest")
        expect(ticket.locator("svg")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "event-ticket.png"), full_page=True)

        page.goto(server("/account"))
        expect(page.get_by_test_id("my-event-gold-evening")).to_contain_text("Ticket")
        expect(page.get_by_test_id("member-card").first).to_be_visible()
        expect(page.get_by_test_id("card-number").first).to_have_text(
            re.compile(r"^\d{4} \d{4} \d{4} \d{4}$"))

        basic = browser.new_context()
        basic.set_default_timeout(TIMEOUT_MS)
        other = basic.new_page()
        log_in(other, server, "bert@example.com")
        other.goto(server("/events/gold-evening"))
        expect(other.get_by_test_id("unlock")).to_have_text(
            "Reach Gold to register for this event.")
        expect(other.get_by_role("button", name="Register")).to_have_count(0)
        assert GOLD_ONLY_TEXT not in other.content()
        other.screenshot(path=str(ARTIFACTS / "event-reach-gold.png"), full_page=True)
