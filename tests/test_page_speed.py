"""What the page-speed work must not change: links, and the cart read in one query."""

import dataclasses
import re

import pytest
from markupsafe import Markup
from sqlalchemy import event

from hooks import NavLink, hookimpl
from storefront.catalog.lookup import ProductView
from storefront.catalog.models import Product
from storefront.extensions import db
from storefront.plugins.state import set_enabled
from tests.conftest import Shop


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


def test_placing_an_order_reads_no_order(make_app, shop, tmp_path):
    """Neither a look-up of an order this form placed before (the cart still has the form's
    token) nor a read of the new order after the commit, to redirect to it."""
    # A queue the worker would read: the events are not delivered inside the test's request.
    app = make_app(WORKER_QUEUE=f"sqlite:///{tmp_path / 'queue.sqlite3'}")
    shopper, client = Shop(app), app.test_client()
    shopper.add(client, "COF-ETH-250")
    fields = shopper.checkout_fields(client)
    data = {**fields, "email": "ana@example.com", "name": "Ana", "address": "1 Main Street"}
    answers: list = []
    statements = _statements(app, lambda: answers.append(client.post("/checkout", data=data)))
    assert answers[0].status_code == 303
    assert answers[0].headers["Location"].startswith("/orders/")
    reads = [s for s in statements if s.startswith("SELECT")]
    assert not any("FROM shop_order" in s for s in reads), reads
    assert not any("FROM product" in s for s in reads), reads  # costs came with the cart


def test_plugin_disabled_in_another_worker_leaves_the_cart_page_at_once(make_app, shop):
    owner = make_app(EXTRA_PLUGINS=[ProductSlotSpy()])
    other = make_app(EXTRA_PLUGINS=[ProductSlotSpy()])
    visitor = other.test_client()
    Shop(other).add(visitor, "COF-ETH-250")
    assert "Spy link" in visitor.get("/cart").text
    with owner.test_request_context():
        set_enabled("slotspy", False, actor="test")
    assert "Spy link" not in visitor.get("/cart").text


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
