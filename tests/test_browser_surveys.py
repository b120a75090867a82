"""Answering a survey in the browser from the invitation's link, without logging in, then
the owner reading the figures; axe-core finds no accessibility problem on those pages, in
both themes."""

from __future__ import annotations

import pytest

from tests.conftest import Shop
from tests.points_support import member
from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.surveys_support import (
    configure,
    invitation_links,
    paid_order,
    send_invitations,
    surveys_app,
)
from tests.test_browser import TIMEOUT_MS
from tests.test_browser_loyalty import log_in
from tests.test_browser_themes import axe_script, run_axe

pytestmark = BROWSER_ON_SQLITE


@pytest.mark.parametrize("theme", ["default", "market"])
def test_a_member_answers_a_survey_and_the_owner_reads_it(browser, make_app, theme):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    script = axe_script()
    app = surveys_app(make_app, THEME=theme)
    configure(app, servqual="true")
    shop = Shop(app)
    client, uid = member(app, shop)
    paid_order(app, shop, client)
    send_invitations(app)
    [link] = invitation_links(app, uid)
    shop.create_user("owner@example.com", role="owner", name="Olivia")
    findings = {}
    with live_server(app) as server:
        context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.goto(server(link))
        expect(page.get_by_test_id("survey-subject")).to_contain_text("About your order")
        findings["survey"] = run_axe(page, script)
        page.get_by_test_id("scale-nps").get_by_label("9", exact=True).check()
        page.get_by_label("What is the main reason for your score?").fill("Kind people")
        page.get_by_test_id("scale-delivery").get_by_label("4", exact=True).check()
        for dimension in ("tangibles", "reliability", "responsiveness", "assurance",
                          "empathy"):
            page.get_by_test_id(f"scale-{dimension}_expectation").get_by_label(
                "6", exact=True).check()
            page.get_by_test_id(f"scale-{dimension}_perception").get_by_label(
                "5", exact=True).check()
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_test_id("survey-thanks")).to_contain_text(
            "20 points for answering are in your account.")
        findings["thanks"] = run_axe(page, script)
        page.goto(server(link))
        expect(page.get_by_test_id("survey-closed")).to_contain_text("answered already")
        context.close()
        context = browser.new_context(bypass_csp=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "owner@example.com")
        page.goto(server("/plugins/surveys/"))
        expect(page.get_by_test_id("surveys-nps-score")).to_have_text("100.0")
        expect(page.locator('tr[data-dimension="empathy"]')).to_contain_text("-1.00")
        findings["overview"] = run_axe(page, script)
        page.goto(server("/plugins/surveys/comments"))
        expect(page.get_by_test_id("surveys-comments")).to_contain_text("Kind people")
        findings["comments"] = run_axe(page, script)
        context.close()
    assert not any(findings.values()), findings
