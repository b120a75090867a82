"""The page header as a shopper sees it (issue 18): the cart's item count beside "Cart" on
every page, cached guest pages included, gone after checking out; and on a phone the header
does not wrap into a tall block or push the page sideways, in both themes."""

from __future__ import annotations

import pytest

from tests.conftest import Shop
from tests.support.live_server import BROWSER_ON_SQLITE, live_server
from tests.test_browser import ARTIFACTS, TIMEOUT_MS
from tests.test_browser_loyalty import log_in

pytestmark = BROWSER_ON_SQLITE


def test_the_header_shows_how_many_items_the_cart_holds(browser, make_app):
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    from playwright.sync_api import expect

    app = make_app()
    with live_server(app) as server:
        context = browser.new_context()
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        cart = page.get_by_role("navigation", name="Main").get_by_role("link", name="Cart")
        page.goto(server("/products/hand-grinder"))
        expect(cart).to_have_text("Cart")
        page.get_by_label("Quantity").fill("2")
        page.get_by_role("button", name="Add to cart").click()
        expect(cart).to_have_text("Cart (2)")
        page.goto(server("/products/colombia-huila"))  # a page the guest cache serves
        page.get_by_role("button", name="Add to cart").click()
        expect(cart).to_have_text("Cart (3)")
        page.goto(server("/"))
        expect(cart).to_have_text("Cart (3)")
        page.goto(server("/checkout"))
        page.get_by_label("Email").fill("guest@example.com")
        page.get_by_label("Full name").fill("Gemma Guest")
        page.get_by_label("Address").fill("1 Main Street, Springfield")
        page.get_by_role("button", name="Place order").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Order")
        expect(cart).to_have_text("Cart")
        context.close()


BUILT_IN = ["points", "tiers", "cards", "events", "community"]


@pytest.mark.parametrize("theme", ["default", "market"])
def test_on_a_phone_the_header_stays_compact(browser, make_app, theme):
    """The owner, with every built-in plugin on, has the most links in the header."""
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")

    app = make_app(THEME=theme, LOAD_ENTRY_POINT_PLUGINS=True,
                   PLUGINS_ENABLED_BY_DEFAULT=BUILT_IN)
    Shop(app).create_user("olivia@example.com", role="owner", name="Olivia")
    with live_server(app) as server:
        context = browser.new_context(viewport={"width": 375, "height": 740},
                                      device_scale_factor=2, is_mobile=True, has_touch=True)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, server, "olivia@example.com")
        page.goto(server("/products/hand-grinder"))
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"phone-header-{theme}.png"))
        header = page.locator("header").first.bounding_box()
        width = page.evaluate("document.documentElement.scrollWidth")
        wrapped = page.evaluate("""() => [...document.querySelectorAll(
            'header a, header button, header label')].filter(
            el => el.getClientRects().length > 1).map(el => el.textContent.trim())""")
        context.close()
    assert width <= 375, f"the page is {width} px wide on a 375 px phone"
    assert wrapped == [], f"header items broken over two lines: {wrapped}"
    assert header["height"] <= 180, f"the header takes {header['height']:.0f} px of 740"


@pytest.mark.parametrize("theme", ["default", "market"])
def test_on_a_phone_no_page_of_a_member_or_the_owner_is_wider_than_the_screen(
        browser, make_app, theme):
    """A 375 px phone: the cart, the checkout, the account page (its statement form), the
    printable card, the referral link, and the admin pages in Spanish (longer words) fit the
    screen; a wide table scrolls in its own box instead of pushing the page sideways."""
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")

    app = make_app(THEME=theme, LOAD_ENTRY_POINT_PLUGINS=True,
                   PLUGINS_ENABLED_BY_DEFAULT=[*BUILT_IN, "referrals", "complaints"])
    shop = Shop(app)
    shop.create_user("mia@example.com", name="Mia Member")
    shop.create_user("olivia@example.com", role="owner", name="Olivia")
    too_wide = {}
    with live_server(app) as server:
        for email, language, paths in (
                ("mia@example.com", "en", ["/", "/products/hand-grinder", "/cart", "/checkout",
                                           "/account", "/referrals/"]),
                ("olivia@example.com", "es", ["/admin/", "/admin/orders", "/admin/products",
                                              "/admin/plugins", "/plugins/complaints/figures",
                                              "/referrals/preview"])):
            context = browser.new_context(viewport={"width": 375, "height": 740},
                                          is_mobile=True, has_touch=True)
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            log_in(page, server, email)
            page.goto(server("/products/hand-grinder"))
            page.get_by_role("button", name="Add to cart").click()
            context.set_extra_http_headers({"Accept-Language": language})
            for path in paths:
                page.goto(server(path))
                too_wide[path] = page.evaluate("document.documentElement.scrollWidth")
                assert page.evaluate("document.documentElement.lang") == language, path
            if email.startswith("mia"):
                page.goto(server("/account"))
                page.get_by_role("link", name="Printable card").click()
                # a click returns once the new page is committed, before it has an <html>
                page.wait_for_load_state()
                too_wide["printable card"] = page.evaluate(
                    "document.documentElement.scrollWidth")
            context.close()
    assert {where: width for where, width in too_wide.items() if width > 375} == {}
