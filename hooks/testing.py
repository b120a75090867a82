"""A pytest plugin for plugin authors (loaded automatically once storefront is installed).

Fixtures:
- ``storefront_plugins``: names of installed plugins to enable (override it; default none).
- ``storefront_config``: extra app settings (override it; default none).
- ``storefront_settings``: plugin settings, ``{"plugin": {"field": "value"}}`` (override it);
  a list setting takes a list, a table a list of dicts (``[{"sku": "A", "off": "1.50"}]``).
- ``storefront_app``: a shop on a fresh SQLite database with those plugins enabled and three
  products: TEST-A (10.00), TEST-B (25.00), TEST-C (4.50), 100 of each in stock.
- ``storefront_client``: a guest's test client.
- ``member_client``: a logged-in member's client (member@example.com).
- ``cart_with``: ``cart_with(client, {"TEST-A": 2})`` fills that client's cart.
Helpers: ``csrf_token(html)``, ``hidden_inputs(html)``,
``post_form(client, page_url, action_url, data)`` and ``checkout(client, **fields)``.
"""

from __future__ import annotations

import re

import pytest

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
INPUT_RE = re.compile(r"<input\b[^>]*>")
ATTR_RE = re.compile(r'(\w+)="([^"]*)"')
MEMBER_EMAIL = "member@example.com"
MEMBER_PASSWORD = "member password 123"  # noqa: S105 - test fixture account
TEST_PRODUCTS = (("TEST-A", "test-a", "Test product A", 1000),
                 ("TEST-B", "test-b", "Test product B", 2500),
                 ("TEST-C", "test-c", "Test product C", 450))


def csrf_token(html: str) -> str:
    match = CSRF_RE.search(html)
    assert match, "page has no CSRF token"
    return match.group(1)


def hidden_inputs(html: str) -> dict[str, str]:
    """Every hidden input of a page, name -> value (the CSRF token included)."""
    fields = {}
    for tag in INPUT_RE.findall(html):
        attrs = dict(ATTR_RE.findall(tag))
        if attrs.get("type") == "hidden" and "name" in attrs:
            fields[attrs["name"]] = attrs.get("value", "")
    return fields


def checkout(client, **fields: str):
    """Submit the checkout form as reviewed on the checkout page; returns the response."""
    page = client.get("/checkout")
    assert page.status_code == 200, f"checkout page answered {page.status_code}"
    data = {"name": "Test Shopper", "address": "1 Test Street", "email": "shopper@example.com",
            **hidden_inputs(page.get_data(as_text=True)), **fields}
    return client.post("/checkout", data=data)


FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)


def form_fields(html: str, action_url: str) -> dict[str, str]:
    """The hidden inputs of the form that posts to ``action_url`` (else just the CSRF token)."""
    for attrs, body in FORM_RE.findall(html):
        if dict(ATTR_RE.findall(attrs)).get("action", "").replace("&amp;", "&") == action_url:
            return hidden_inputs(body)
    return {"csrf_token": csrf_token(html)}


def post_form(client, page_url: str, action_url: str, data: dict, **kwargs):
    """Post a form as a browser would: load its page, keep the form's hidden fields (the
    CSRF token among them), add ``data``, submit."""
    page = client.get(page_url).get_data(as_text=True)
    return client.post(action_url, data={**form_fields(page, action_url), **data}, **kwargs)


@pytest.fixture
def storefront_plugins() -> list[str]:
    return []


@pytest.fixture
def storefront_config() -> dict:
    return {}


@pytest.fixture
def storefront_settings() -> dict[str, dict]:
    return {}


@pytest.fixture
def storefront_app(tmp_path, storefront_plugins, storefront_config, storefront_settings):
    from storefront import create_app, migrate
    from storefront.catalog.models import Product
    from storefront.extensions import db
    from storefront.plugins.state import save_settings, set_enabled

    (tmp_path / "content" / "products").mkdir(parents=True)
    (tmp_path / "content" / "pages").mkdir()
    config = {
        "SECRET_KEY": "storefront-test-secret-key-0123456789-abcdefghij",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
        "CONTENT_DIR": str(tmp_path / "content"),
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "BASE_URL": "http://localhost",
        **storefront_config,
    }
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    migrate.upgrade(app)
    with app.app_context():
        for sku, slug, title, price in TEST_PRODUCTS:
            db.session.add(Product(sku=sku, slug=slug, title=title, price=price, stock=100))
        db.session.commit()
        for name, values in storefront_settings.items():
            save_settings(name, values, actor="test")
        for name in storefront_plugins:
            set_enabled(name, True, actor="test")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def storefront_client(storefront_app):
    return storefront_app.test_client()


@pytest.fixture
def member_client(storefront_app):
    from storefront.accounts.service import create_user
    from storefront.extensions import db  # noqa: F401 - app context below uses it

    with storefront_app.app_context():
        create_user(MEMBER_EMAIL, MEMBER_PASSWORD, "Member")
    client = storefront_app.test_client()
    response = post_form(client, "/login", "/login",
                         {"email": MEMBER_EMAIL, "password": MEMBER_PASSWORD})
    assert response.status_code == 302, "member could not log in"
    return client


@pytest.fixture
def cart_with(storefront_app):
    from sqlalchemy import select

    from storefront.catalog.models import Product
    from storefront.extensions import db

    def fill(client, items: dict[str, int]) -> None:
        for sku, quantity in items.items():
            with storefront_app.app_context():
                slug = db.session.scalar(select(Product.slug).where(Product.sku == sku))
            assert slug, f"no product {sku}"
            response = post_form(client, f"/products/{slug}", "/cart/add",
                                 {"sku": sku, "quantity": str(quantity)})
            assert response.headers["Location"].endswith("/cart"), f"could not add {sku}"

    return fill
