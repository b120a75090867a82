"""A shopper in a real browser: Debian's Chromium driven by Playwright against a live server.

The assertions are on what the shopper sees (text on the page, the address bar), never on the
database. One backend is enough here: the HTTP tests already run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.live_server import CHROMIUM, live_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"browser tests need Debian's Chromium at {CHROMIUM} "
                              "(apt-get install chromium); `playwright install` is not used"),
    pytest.mark.parametrize("backend", ["sqlite"], indirect=True),
]

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
TIMEOUT_MS = 10_000
ORDER_NUMBER_RE = re.compile(r"SF-\d{6}")


@pytest.fixture
def server(make_app):
    with live_server(make_app()) as live:
        yield live


def _page(browser, **context_options):
    context = browser.new_context(**context_options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context, context.new_page()


def _path(page) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url)


def test_shopper_browses_registers_at_checkout_and_finds_the_order(server, browser, shop):
    from playwright.sync_api import expect

    context, page = _page(browser)
    try:
        # The home page lists the catalogue.
        page.goto(server("/"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Storefront")
        expect(page.get_by_role("link", name="Ethiopia Yirgacheffe, 250 g")).to_be_visible()

        # A product names its category; the category page lists only coffee.
        page.get_by_role("link", name="Colombia Huila, 250 g").click()
        page.get_by_role("link", name="Coffee", exact=True).click()
        assert _path(page) == "/category/coffee"
        expect(page.get_by_role("heading", level=1)).to_have_text("Coffee")
        expect(page.locator("main")).not_to_contain_text("Gooseneck Kettle")

        # Open a product and put it in the cart.
        page.get_by_role("link", name="Ethiopia Yirgacheffe, 250 g").click()
        assert _path(page) == "/products/ethiopia-yirgacheffe"
        expect(page.locator("main .price")).to_have_text("€12.50")
        page.get_by_role("button", name="Add to cart").click()
        assert _path(page) == "/cart"
        expect(page.get_by_role("status")).to_contain_text(
            "Added Ethiopia Yirgacheffe, 250 g to your cart.")

        # Search, open the hit, add two.
        page.get_by_role("searchbox", name="Search products").fill("kettle")
        page.get_by_role("button", name="Search").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Results for “kettle”")
        page.get_by_role("link", name="Gooseneck Kettle, 1 l").click()
        page.get_by_label("Quantity").fill("2")
        page.get_by_role("button", name="Add to cart").click()
        assert _path(page) == "/cart"

        # The cart shows both lines; change the coffee to 3.
        cart = page.locator("table.cart")
        expect(cart.locator("tbody tr")).to_have_count(2)
        expect(page.get_by_label("Quantity of Gooseneck Kettle, 1 l")).to_have_value("2")
        page.get_by_label("Quantity of Ethiopia Yirgacheffe, 250 g").fill("3")
        cart.locator("tbody tr", has_text="Ethiopia").get_by_role(
            "button", name="Update").click()
        assert _path(page) == "/cart"
        expect(page.get_by_label("Quantity of Ethiopia Yirgacheffe, 250 g")).to_have_value("3")
        # 3 × €12.50 + 2 × €39.00 = €115.50, free shipping from €50.
        expect(page.get_by_test_id("total")).to_have_text("€115.50")

        # Checkout as a guest offers to register, and registering comes back to checkout.
        page.get_by_role("link", name="Check out").click()
        assert _path(page) == "/checkout"
        expect(page.get_by_text("Ordering as a guest.")).to_be_visible()
        page.get_by_role("link", name="register", exact=True).click()
        assert _path(page) == "/register?next=/checkout"
        page.get_by_label("Name").fill("Ana Shopper")
        page.get_by_label("Email").fill("ana@example.com")
        page.get_by_label("Password", exact=True).fill("correct horse battery")
        page.get_by_label("Repeat password").fill("correct horse battery")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
        expect(page.get_by_test_id("check-email")).to_contain_text(
            "We sent a message to ana@example.com.")
        # The link in the mail makes the account and comes back to checkout.
        page.goto(server(shop.link("ana@example.com", "/register/finish/")))
        assert _path(page) == "/checkout"
        expect(page.get_by_role("status")).to_contain_text("Welcome, Ana Shopper!")
        expect(page.get_by_text("Ordering as ana@example.com.")).to_be_visible()
        expect(page.get_by_test_id("total")).to_have_text("€115.50")

        # Place the order with the offline provider (bank transfer).
        page.get_by_label("Full name").fill("Ana Shopper")
        page.get_by_label("Delivery address").fill("1 Main Street\n12345 Springfield")
        page.get_by_role("button", name=re.compile(r"^Place order")).click()

        expect(page.get_by_test_id("order-status")).to_have_text("Awaiting payment")
        heading = page.get_by_role("heading", level=1)
        expect(heading).to_have_text(re.compile(r"^Order SF-\d{6}$"))
        number = ORDER_NUMBER_RE.search(heading.inner_text()).group(0)
        assert re.fullmatch(r"/orders/[\w-]+", _path(page)), page.url
        expect(page.locator("main")).to_contain_text(f"with the reference {number}")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "order-confirmation.png"), full_page=True)

        # My account lists the order; its page shows both products.
        page.get_by_role("link", name="My account").click()
        assert _path(page) == "/account"
        expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Ana Shopper")
        row = page.locator("table.orders tbody tr", has_text=number)
        expect(row).to_contain_text("Awaiting payment")
        expect(row).to_contain_text("€115.50")
        row.get_by_role("link", name=number).click()
        assert re.fullmatch(r"/account/orders/\d+", _path(page)), page.url
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Order {number}")
        lines = page.locator("table.quote tbody tr")
        expect(lines).to_have_count(2)
        expect(lines.nth(0).locator("td")).to_have_text(
            ["Ethiopia Yirgacheffe, 250 g", "3", "€12.50", "€37.50"])
        expect(lines.nth(1).locator("td")).to_have_text(
            ["Gooseneck Kettle, 1 l", "2", "€39.00", "€78.00"])
    finally:
        context.close()


def test_add_to_cart_and_guest_checkout_work_without_javascript(server, browser):
    from playwright.sync_api import expect

    context, page = _page(browser, java_script_enabled=False)
    try:
        page.goto(server("/products/hand-grinder"))
        page.get_by_label("Quantity").fill("1")
        page.get_by_role("button", name="Add to cart").click()
        assert _path(page) == "/cart"
        expect(page.get_by_role("status")).to_contain_text("Added Hand Grinder")
        expect(page.get_by_test_id("total")).to_have_text("€69.00")

        page.get_by_role("link", name="Check out").click()
        assert _path(page) == "/checkout"
        page.get_by_label("Email").fill("guest@example.com")
        page.get_by_label("Full name").fill("Gus Guest")
        page.get_by_label("Delivery address").fill("2 Side Street, Springfield")
        page.get_by_role("button", name="Place order · €69.00").click()

        expect(page.get_by_test_id("order-status")).to_have_text("Awaiting payment")
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Order SF-\d{6}$"))
        expect(page.locator("table.quote tbody")).to_contain_text("Hand Grinder with Steel Burrs")
        expect(page.locator("main")).to_contain_text("Gus Guest")
    finally:
        context.close()
