"""The referral page in the browser: a friend arrives by the member's link, registers, finds
the code waiting in the form and uses it; the member's page lists the friend; axe-core finds
no accessibility problem on the pages, in both themes."""

from __future__ import annotations

import pytest

from tests.conftest import Shop
from tests.points_support import member
from tests.referrals_support import code_of, referrals_app
from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.test_browser import TIMEOUT_MS
from tests.test_browser_loyalty import log_in
from tests.test_browser_themes import axe_script, run_axe

pytestmark = BROWSER_ON_SQLITE


@pytest.mark.parametrize("theme", ["default", "market"])
def test_a_friend_uses_the_link_and_the_member_sees_the_referral(browser, make_app, theme):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    script = axe_script()
    app = referrals_app(make_app, THEME=theme)
    shop = Shop(app)
    ana, _ = member(app, shop, email="ana@example.com", name="Ana")
    code = code_of(ana)
    ben, _ = member(app, shop, email="ben@example.com", name="Ben")  # registered already
    findings = {}
    with live_server(app) as server:
        context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(server(f"/referrals/r/{code}"))  # the link remembers the code ...
        expect(page).to_have_url(server("/register?next=/referrals/"))
        log_in(page, server, "ben@example.com")  # ... across a new session
        page.goto(server("/referrals/"))
        field = page.get_by_label("A friend's referral code")
        expect(field).to_have_value(code)
        findings["friend"] = run_axe(page, script)
        page.get_by_role("button", name="Use this code").click()
        expect(page.locator(".flash.success")).to_contain_text("Your friend's code is accepted")
        expect(page.get_by_test_id("referral-mine")).to_contain_text(
            "You joined with the code of Ana: pending: no paid order yet")
        context.close()
        context = browser.new_context(bypass_csp=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "ana@example.com")
        page.goto(server("/account"))
        expect(page.get_by_test_id("referral-code")).to_have_text(code)
        page.get_by_role("link", name="Your referrals").click()
        expect(page.get_by_test_id("referral-list")).to_contain_text("Ben")
        expect(page.get_by_test_id("referral-list")).to_contain_text("pending: no paid order yet")
        findings["member"] = run_axe(page, script)
        context.close()
    assert not any(findings.values()), findings
