"""Product pages reused for guests: what a guest sees is never stale or someone else's."""

import re
import shutil

from flask import current_app, request

from hooks import NavLink, hookimpl
from storefront.cli import main
from storefront.plugins.state import set_enabled
from storefront.web.guest_pages import EXTENSION
from tests.conftest import ROOT, Shop


def _pages(app):
    return app.extensions[EXTENSION]


def test_guests_get_the_kept_page_and_can_add_to_their_own_cart(app, shop):
    product = shop.product("COF-ETH-250")
    ana, bob = app.test_client(), app.test_client()
    first = ana.get(f"/products/{product.slug}")
    second = bob.get(f"/products/{product.slug}")
    assert (_pages(app).misses, _pages(app).hits) == (1, 1)
    assert first.text == second.text and "csrf_token" not in first.text
    assert "Set-Cookie" not in first.headers and "Set-Cookie" not in second.headers
    assert shop.add(ana, "COF-ETH-250", 2).status_code == 303
    assert shop.add(bob, "COF-ETH-250", 1).status_code == 303
    assert 'value="2"' in ana.get("/cart").text and 'value="1"' in bob.get("/cart").text


def test_stock_and_content_changes_show_at_once(app, shop):
    product = shop.product("COF-ETH-250")
    guest = app.test_client()
    assert f"{product.stock} in stock" in guest.get(f"/products/{product.slug}").get_data(
        as_text=True)
    shop.set_stock("COF-ETH-250", 3)
    assert "3 in stock" in guest.get(f"/products/{product.slug}").get_data(as_text=True)
    shop.set_stock("COF-ETH-250", 0)
    page = guest.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "Sold out" in page and "Add to cart" not in page


def test_signed_in_customers_and_flashed_messages_get_their_own_page(app, shop):
    product = shop.product("COF-ETH-250")
    app.test_client().get(f"/products/{product.slug}")  # a guest's page is kept
    member = app.test_client()
    shop.register(member)
    page = member.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "My account" in page and "Log in" not in page
    guest = app.test_client()
    with guest.session_transaction() as session:
        session["_flashes"] = [("info", "Welcome back, friend")]
    page = guest.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "Welcome back, friend" in page
    page = guest.get(f"/products/{product.slug}").get_data(as_text=True)
    assert "Welcome back, friend" not in page and "Log in" in page


class RequestLink:
    """A plugin whose link for guests depends on the request."""

    name = "requestlink"

    def __init__(self, cache_answer):
        self.cache_answer = cache_answer

    @hookimpl
    def shop_nav_links(self, customer):
        return [NavLink(label=f"Hello {request.headers.get('X-Visitor', 'nobody')}",
                        url="/hello")]

    @hookimpl
    def shop_cache_guest_pages(self):
        return self.cache_answer


def test_a_plugin_that_answers_false_gets_a_fresh_page_for_every_guest(make_app):
    app = make_app(EXTRA_PLUGINS=[RequestLink(False)])
    slug = Shop(app).product("COF-ETH-250").slug
    client = app.test_client()
    for visitor in ("Ana", "Bob"):
        page = client.get(f"/products/{slug}", headers={"X-Visitor": visitor})
        assert f"Hello {visitor}" in page.get_data(as_text=True)
    assert _pages(app).hits == 0
    with app.test_request_context():
        set_enabled("requestlink", False, actor="test")
    client.get(f"/products/{slug}")
    assert client.get(f"/products/{slug}").status_code == 200
    assert _pages(app).hits == 1  # the plugin is off: pages are reused again


def _greetings(app, *visitors: str) -> list[str]:
    """The nav link each visitor in turn finds on the same product page."""
    slug = Shop(app).product("COF-ETH-250").slug
    client = app.test_client()
    pages = [client.get(f"/products/{slug}", headers={"X-Visitor": v}).text for v in visitors]
    return [re.search(r"Hello \w+", page).group(0) for page in pages]


def test_a_plugin_that_declares_its_guest_output_alike_is_shown_as_first_rendered(make_app):
    app = make_app(EXTRA_PLUGINS=[RequestLink(True)])
    assert _greetings(app, "Ana", "Bob") == ["Hello Ana", "Hello Ana"]


def test_a_plugin_that_says_nothing_gets_a_fresh_page_for_every_guest(make_app):
    """Opt-in (contract 2.7): leaving the hook out no longer lets the shop keep pages."""
    app = make_app(EXTRA_PLUGINS=[RequestLink(None)])
    assert _greetings(app, "Ana", "Bob") == ["Hello Ana", "Hello Bob"]


def test_a_failing_answer_counts_as_false(make_app):
    class Broken(RequestLink):
        name = "brokenanswer"

        @hookimpl
        def shop_cache_guest_pages(self):
            raise RuntimeError("boom")

    app = make_app(EXTRA_PLUGINS=[Broken(True)])
    assert _greetings(app, "Bob", "Eve") == ["Hello Bob", "Hello Eve"]


def test_expired_pages_are_rendered_again_and_size_zero_turns_it_off(make_app):
    app = make_app(EXTRA_PLUGINS=[RequestLink(True)], GUEST_PAGE_CACHE_SECONDS=0)
    assert _greetings(app, "Ana", "Bob") == ["Hello Ana", "Hello Bob"]
    off = make_app(GUEST_PAGE_CACHE_SIZE=0)
    assert EXTENSION not in off.extensions
    slug = Shop(off).product("COF-ETH-250").slug
    assert off.test_client().get(f"/products/{slug}").status_code == 200


def test_kept_pages_are_bounded_and_the_least_recently_used_goes(make_app):
    app = make_app(GUEST_PAGE_CACHE_SIZE=2)
    shop = Shop(app)
    slugs = [shop.product(sku).slug for sku in ("COF-ETH-250", "COF-COL-250", "TEA-SEN-100")]
    client = app.test_client()
    for slug in (*slugs, slugs[2], slugs[0]):
        assert client.get(f"/products/{slug}").status_code == 200
    pages = _pages(app)
    assert len(pages) == 2 and (pages.hits, pages.misses) == (1, 4)
    with app.test_request_context():
        assert current_app.extensions[EXTENSION] is pages


def test_listings_show_stock_and_synced_content_at_once(make_app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    app = make_app(CONTENT_DIR=str(content))
    shop, guest = Shop(app), app.test_client()
    home = guest.get("/").text
    assert "Sold out" not in home and "Ethiopia Yirgacheffe" in home
    shop.set_stock("COF-ETH-250", 0)
    assert "Sold out" in guest.get("/").text and "Sold out" in guest.get("/category/coffee").text
    path = content / "products" / "ethiopia-yirgacheffe.md"
    path.write_text(path.read_text().replace("Ethiopia Yirgacheffe", "Ethiopia Kochere"))
    (content / "products" / "paper-filters.md").unlink()
    app.test_cli_runner().invoke(main, ["content", "sync"])
    home = guest.get("/").text
    assert "Ethiopia Kochere" in home and "Ethiopia Yirgacheffe" not in home
    assert "/products/paper-filters" not in home
    assert guest.get("/").text == home and _pages(app).hits == 1
    kept = len(_pages(app))
    assert "Ethiopia Kochere" in guest.get("/search?q=kochere").text
    assert len(_pages(app)) == kept  # search results are not kept


def test_content_pages_show_an_edit_at_once(make_app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    app = make_app(CONTENT_DIR=str(content))
    guest = app.test_client()
    about = guest.get("/pages/about").text
    assert guest.get("/pages/about").text == about and _pages(app).hits == 1
    path = content / "pages" / "about.md"
    path.write_text(path.read_text() + "\nWe also roast on Sundays.\n")
    assert "We also roast on Sundays." in guest.get("/pages/about").text


class TokenForm:
    """A plugin (declaring its output alike, wrongly) whose product slot has a form with a
    CSRF token: the token belongs to one visitor."""

    name = "tokenform"

    @hookimpl
    def shop_template_slot(self, name, context):
        from flask_wtf.csrf import generate_csrf
        from markupsafe import Markup

        if name == "product":
            return Markup('<input type="hidden" name="csrf_token" value="{}">').format(
                generate_csrf())

    @hookimpl
    def shop_cache_guest_pages(self):
        return True


def test_a_page_that_holds_a_visitors_token_is_neither_kept_nor_public(make_app):
    app = make_app(EXTRA_PLUGINS=[TokenForm()])
    slug = Shop(app).product("COF-ETH-250").slug
    pages = [app.test_client().get(f"/products/{slug}") for _ in range(2)]
    tokens = [re.search(r'name="csrf_token" value="([^"]+)"', p.text).group(1) for p in pages]
    assert tokens[0] != tokens[1] and _pages(app).hits == 0
    assert all(p.headers["Cache-Control"] == "private, no-store" for p in pages)
