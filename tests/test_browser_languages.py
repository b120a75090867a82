"""The language switcher in a real browser, in both themes (issue 18): a browser set to Spanish
gets Spanish at once; an English one switches with the footer's button and stays on the page
it was reading, and the choice holds on the next page."""

from __future__ import annotations

import pytest

from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.test_browser import ARTIFACTS, TIMEOUT_MS

pytestmark = BROWSER_ON_SQLITE


@pytest.mark.parametrize("theme", ["default", "market"])
def test_a_shopper_reads_the_shop_in_spanish_or_english(browser, make_app, theme):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    app = make_app(THEME=theme)
    with live_server(app) as server:
        spanish = browser.new_context(locale="es-ES")
        spanish.set_default_timeout(TIMEOUT_MS)
        page = spanish.new_page()
        page.goto(server("/products/hand-grinder"))
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.locator("main")).to_contain_text("69,00\xa0€")
        expect(page.get_by_role("button", name="Español")).to_have_attribute(
            "aria-pressed", "true")
        spanish.close()

        english = browser.new_context(locale="en-US")
        english.set_default_timeout(TIMEOUT_MS)
        page = english.new_page()
        page.goto(server("/products/hand-grinder?ref=newsletter"))
        expect(page.locator("main")).to_contain_text("€69.00")
        page.get_by_role("button", name="Español").click()
        expect(page).to_have_url(server("/products/hand-grinder?ref=newsletter"))
        expect(page.locator("html")).to_have_attribute("lang", "es")
        expect(page.get_by_text("Idioma")).to_be_visible()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"language-switch-{theme}.png"), full_page=True)
        page.goto(server("/"))
        expect(page.locator("html")).to_have_attribute("lang", "es")
        page.get_by_role("button", name="English").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        english.close()
