"""What the page-speed work must not change: links, and the cart read in one query."""

import dataclasses
import re

import pytest
from flask import g, session
from markupsafe import Markup
from sqlalchemy import event

from hooks import NavLink, hookimpl
from storefront.catalog.lookup import ProductView
from storefront.catalog.models import Product
from storefront.extensions import db
from storefront.plugins.state import set_enabled
from storefront.signing import SessionInterface, csrf_token
from storefront.themes import FURNITURE_LINKS
from storefront.urlcache import cached_url_for
from tests.conftest import Shop


def test_remembered_links_equal_flask_links_under_any_script_root(app):
    link = cached_url_for(app)
    for root in ("", "/shop"):
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            for endpoint, values in (("static", {"filename": "style.css"}),
                                     ("catalog.tag", {"tag": "single-origin"}),
                                     ("catalog.page", {"slug": "about"})):
                assert link(endpoint, **values) == app.url_for(endpoint, **values)
                assert link(endpoint, **values).startswith(f"{root}/")
            assert link("catalog.home", _external=True) == app.url_for("catalog.home",
                                                                       _external=True)


def test_cart_page_reads_the_cart_lines_and_products_in_one_query(app, shop):
    client = app.test_client()
    shop.add(client, "COF-ETH-250")
    client.get("/cart")  # flash messages shown
    pages: list[str] = []
    statements = _statements(app, lambda: pages.append(client.get("/cart").text))
    assert "Ethiopia" in pages[0]
    assert not any("FROM cart_line" in s and "FROM cart " not in s for s in statements), \
        statements


# --------------------------------------------------------------------------- round 2


class ProductSlotSpy:
    """A third-party plugin that looks at the product slot's context."""

    name = "slotspy"

    def __init__(self):
        self.seen: list = []

    @hookimpl
    def shop_nav_links(self, customer):
        return [NavLink(label="Spy link", url="/spy")]

    @hookimpl
    def shop_template_slot(self, name, context):
        if name == "product":
            self.seen.append(context["product"])
            return Markup(f"<p class=spy>{context['product'].sku}</p>")
        return None


def test_product_slot_gets_a_frozen_product_view(make_app, shop):
    spy = ProductSlotSpy()
    app = make_app(EXTRA_PLUGINS=[spy])
    product = Shop(app).product("COF-ETH-250")
    page = app.test_client().get(f"/products/{product.slug}").get_data(as_text=True)
    assert "<p class=spy>COF-ETH-250</p>" in page
    (view,) = spy.seen
    assert isinstance(view, ProductView)
    assert (view.id, view.title, view.price, view.stock) == (
        product.id, product.title, product.price, product.stock)
    assert view.tag_list == tuple(product.tag_list) and view.in_stock == product.in_stock
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.stock = 0


def test_product_page_unknown_inactive_and_plugin_products(app, shop):
    client = app.test_client()
    assert client.get("/products/no-such-thing").status_code == 404
    product = shop.product("COF-ETH-250")
    with app.app_context():
        db.session.get(Product, product.id).active = False
        db.session.commit()
    assert client.get(f"/products/{product.slug}").status_code == 404


def test_product_page_reads_product_and_plugin_state_in_one_statement(make_app, shop):
    app = make_app(EXTRA_PLUGINS=[ProductSlotSpy()])
    slug = Shop(app).product("COF-ETH-250").slug
    client = app.test_client()
    client.get(f"/products/{slug}")  # plugin state cached in this worker
    statements = _statements(app, lambda: client.get(f"/products/{slug}"))
    assert len(statements) == 1, statements
    assert "plugin_state_version" in statements[0] and "FROM product" in statements[0]


@pytest.mark.parametrize("path", ["/", "/category/coffee", "/tag/espresso",
                                  "/search?q=kettle"])
def test_a_listing_reads_its_cards_and_plugin_state_in_one_statement(make_app, shop, path):
    app = make_app(EXTRA_PLUGINS=[ProductSlotSpy()], GUEST_PAGE_CACHE_SIZE=0)
    client = app.test_client()
    first = client.get(path)
    assert first.status_code == 200 and 'class="product-card"' in first.text
    statements = _statements(app, lambda: client.get(path))
    assert len(statements) == 1, statements
    assert "plugin_state_version" in statements[0] and "FROM product" in statements[0]


def test_plugin_disabled_in_another_worker_leaves_the_product_page_at_once(make_app, shop):
    owner = make_app(EXTRA_PLUGINS=[ProductSlotSpy()])
    other = make_app(EXTRA_PLUGINS=[ProductSlotSpy()])
    slug = Shop(other).product("COF-ETH-250").slug
    visitor = other.test_client()
    assert "Spy link" in visitor.get(f"/products/{slug}").get_data(as_text=True)
    with owner.test_request_context():
        set_enabled("slotspy", False, actor="test")
    page = visitor.get(f"/products/{slug}").get_data(as_text=True)
    assert "Spy link" not in page and "class=spy" not in page


def test_furniture_links_equal_url_for_under_any_script_root(app, monkeypatch):
    for root in ("", "/shop"):
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            context = {}
            for processor in app.template_context_processors[None]:
                context.update(processor())
            links = context["shop_links"]
            for name, (endpoint, values) in FURNITURE_LINKS.items():
                assert getattr(links, name) == app.url_for(endpoint, **values)
            assert links.home == f"{root}/"
    monkeypatch.setitem(app.config, "SERVER_NAME", "shop.example")
    with app.app_context():  # no request: the global builds each link on demand
        assert app.jinja_env.globals["shop_links"].cart == app.url_for("cart.show")


def test_session_cookie_is_flasks_and_csrf_token_is_valid_for_flask_wtf(app, monkeypatch):
    from flask.sessions import SecureCookieSessionInterface
    from flask_wtf.csrf import generate_csrf, validate_csrf
    from itsdangerous import TimestampSigner, URLSafeTimedSerializer

    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: 1_790_000_000)
    ours, flasks = app.session_interface, SecureCookieSessionInterface()
    assert isinstance(ours, SessionInterface)
    data = {"csrf_token": "ab" * 20, "_fresh": False, "cart": {"1": 2}, "long": "x" * 300}
    with app.app_context():  # the same bytes, compressed or not
        cookie = ours.get_signing_serializer(app).dumps(data)
        assert cookie == flasks.get_signing_serializer(app).dumps(data)
        assert flasks.get_signing_serializer(app).loads(cookie) == data
        assert ours.get_signing_serializer(app).loads(cookie) == data
    with app.test_request_context("/"):
        token = csrf_token()
        assert session["csrf_token"] and generate_csrf() == token  # shared through g
        validate_csrf(token)
    with app.test_request_context("/"):
        session["csrf_token"] = raw = "ab" * 20  # Flask-WTF would compress this one
        mine = csrf_token()
        g.pop("csrf_token")
        theirs = generate_csrf()
        assert theirs.startswith(".") and not mine.startswith(".")
        flask_wtf = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
        assert flask_wtf.loads(mine) == flask_wtf.loads(theirs) == raw
        validate_csrf(mine)
        monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", ["old key"])
        assert ours.get_signing_serializer(app).secret_keys[-1] == app.secret_key.encode()


def test_post_with_a_token_from_the_page_is_accepted_and_without_refused(app, shop):
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = {"line_id": "1", "quantity": "1"}
    assert client.post("/cart/update", data=form).status_code == 400
    assert client.post("/cart/update", data={**form, "csrf_token": token + "x"}).status_code == 400
    assert client.post("/cart/update", data={**form, "csrf_token": token}).status_code == 303


def _statements(app, action) -> list[str]:
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return statements
