"""Public pages over HTTP: what a browser, a reverse proxy or a CDN may keep, and the
add-to-cart form that such a page carries (checked by its Origin, not by a token)."""

from sqlalchemy import update

from hooks import NavLink, hookimpl
from storefront.catalog.models import Product
from storefront.extensions import db
from tests.conftest import Shop
from tests.support.live_server import Visitor, live_server

SHOP = "http://localhost"  # the test client's own origin
PUBLIC_PAGES = ["/", "/category/coffee", "/products/ethiopia-yirgacheffe", "/pages/about"]


def _is_public(response) -> bool:
    return "public" in response.headers.get("Cache-Control", "")


def test_a_guest_gets_public_pages_that_a_shared_cache_may_keep(client):
    for path in PUBLIC_PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=10", path
        assert {"Cookie", "Accept-Language"} <= set(response.vary), path
        etag = response.headers["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/"), path  # strong
        assert "Set-Cookie" not in response.headers, path
        assert "csrf_token" not in response.text, path


def test_a_guest_revalidating_an_unchanged_page_gets_304(client):
    first = client.get("/products/ethiopia-yirgacheffe")
    again = client.get("/products/ethiopia-yirgacheffe",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    other = client.get("/products/ethiopia-yirgacheffe", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200 and other.text == first.text


def test_a_price_change_changes_the_etag(app, client, shop):
    path = "/products/ethiopia-yirgacheffe"
    before = client.get(path)
    with app.app_context():
        db.session.execute(update(Product).where(Product.sku == "COF-ETH-250")
                           .values(price=Product.price + 100))
        db.session.commit()
    after = client.get(path, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert after.text != before.text


def test_each_language_is_its_own_page(client):
    english = client.get("/", headers={"Accept-Language": "en"})
    spanish = client.get("/", headers={"Accept-Language": "es"})
    assert english.headers["ETag"] != spanish.headers["ETag"]
    assert "Accept-Language" in english.vary


def test_a_signed_in_member_never_gets_a_public_page(client, shop):
    shop.register(client)
    for path in PUBLIC_PAGES:
        response = client.get(path)
        assert response.status_code == 200 and "My account" in response.text, path
        assert not _is_public(response), path
        assert {"private", "no-store"} <= set(response.headers["Cache-Control"].split(", "))


def test_a_guest_with_a_cart_never_gets_a_public_page(client, shop):
    assert shop.add(client, "COF-ETH-250").status_code == 303
    for path in [*PUBLIC_PAGES, "/cart"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert not _is_public(response), path
        assert "private" in response.headers["Cache-Control"], path


def test_flashed_messages_are_never_public(client):
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Welcome back, friend")]
    response = client.get("/products/ethiopia-yirgacheffe")
    assert "Welcome back, friend" in response.text and not _is_public(response)


def test_a_page_that_starts_a_session_is_not_public(client):
    response = client.get("/login")  # its form holds a CSRF token kept in a new session
    assert "session=" in response.headers["Set-Cookie"]
    assert response.headers["Cache-Control"] == "private, no-store"


class RequestLink:
    """A plugin whose guest output depends on the request."""

    name = "requestlink"

    def __init__(self, declared):
        self.declared = declared

    @hookimpl
    def shop_nav_links(self, customer):
        return [NavLink(label="Hello", url="/hello")]

    @hookimpl
    def shop_cache_guest_pages(self):
        return self.declared


def test_a_plugin_not_declaring_its_output_alike_makes_shared_caches_ask_each_time(make_app):
    silent = make_app(EXTRA_PLUGINS=[RequestLink(None)]).test_client()
    response = silent.get("/products/ethiopia-yirgacheffe")
    assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=0"
    again = silent.get("/products/ethiopia-yirgacheffe",
                       headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304  # still cheap to revalidate
    declared = make_app(EXTRA_PLUGINS=[RequestLink(True)], PUBLIC_PAGE_CACHE_SECONDS=30)
    response = declared.test_client().get("/products/ethiopia-yirgacheffe")
    assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=30"


# Add to cart: the one form of a public page, checked by where it comes from -----------------


def _cart_count(client) -> str:
    cookie = client.get_cookie("cart_count")
    return cookie.value if cookie else "0"


def _add(client, headers):
    return client.post("/cart/add", data={"sku": "COF-ETH-250", "quantity": "1"},
                       headers=headers)


def test_add_to_cart_from_another_site_adds_nothing(client):
    client.get("/products/ethiopia-yirgacheffe")
    for headers in ({"Origin": "https://evil.example"}, {},
                    {"Referer": "https://evil.example/products/ethiopia-yirgacheffe"},
                    {"Origin": "null"}, {"Origin": "http://localhost.evil.example"}):
        response = _add(client, headers)
        assert response.status_code == 403, headers
        assert "must be sent from a page of this shop" in response.text, headers
    assert _cart_count(client) == "0" and "Your cart is empty" in client.get("/cart").text


def test_add_to_cart_from_the_shops_own_page_works(client):
    assert _add(client, {"Origin": SHOP}).status_code == 303
    referer = {"Referer": f"{SHOP}/products/ethiopia-yirgacheffe"}  # a browser without Origin
    assert _add(client, referer).status_code == 303
    assert _cart_count(client) == "2"


def test_add_to_cart_from_the_configured_base_url_works(make_app):
    """Behind a proxy that ends TLS the shop is asked over http, the browser is on https."""
    client = make_app(BASE_URL="https://shop.example").test_client()
    assert _add(client, {"Origin": "https://shop.example"}).status_code == 303
    assert _add(client, {"Origin": "https://evil.example"}).status_code == 403


def test_every_other_form_still_needs_its_token(client, shop):
    assert _add(client, {"Origin": SHOP}).status_code == 303
    update_line = client.post("/cart/update", data={"line_id": "1", "quantity": "3"},
                              headers={"Origin": SHOP})
    assert update_line.status_code == 400
    login = client.post("/login", data={"email": "a@example.com", "password": "x"},
                        headers={"Origin": SHOP})
    assert login.status_code == 400


def test_the_session_cookie_is_same_site_lax(client):
    response = _add(client, {"Origin": SHOP})
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie")
                          if c.startswith("session="))
    assert "SameSite=Lax" in session_cookie and "HttpOnly" in session_cookie


def test_through_a_running_server_a_guest_revalidates_and_adds_to_cart(app):
    shop = Shop(app)
    slug = shop.product("COF-ETH-250").slug
    with live_server(app) as server:
        guest = Visitor(server)
        page = guest.get(f"/products/{slug}")
        assert page.status == 200 and "public" in page.headers["Cache-Control"]
        assert "Set-Cookie" not in page.headers
        again = guest.get(f"/products/{slug}", headers={"If-None-Match": page.headers["ETag"]})
        assert again.status == 304
        added = guest.post_form(f"/products/{slug}", "/cart/add", {"quantity": "1"})
        assert added.status == 303
        assert "private" in guest.get(f"/products/{slug}").headers["Cache-Control"]
