"""A pytest plugin for plugin authors (loaded automatically once storefront is installed).

Every fixture and helper is documented, with an example, in docs/plugins.md ("Testing your
plugin"). In short:

- override ``storefront_plugins``, ``storefront_config``, ``storefront_settings``
  (``{"plugin": {"field": "value"}}``; a list setting takes a list, a table a list of dicts
  such as ``[{"sku": "A", "off": "1.50"}]``);
- ``storefront_app``: a shop on a fresh SQLite database (a copy of one migrated once per
  test session) with those plugins enabled and three products: TEST-A (10.00), TEST-B
  (25.00), TEST-C (4.50), 100 of each in stock;
- clients: ``storefront_client`` (a guest), and logged in through the login form
  ``member_client``, ``staff_client``, ``owner_client``, ``account_client(email, role)``;
  ``user_id(email)`` gives an account's id;
- ``cart_with(client, {"TEST-A": 2})`` and ``place_order(client, {"TEST-A": 2})``;
- what staff do on Admin → Orders: ``pay_order``, ``cancel_order``, ``refund_order``;
- ``set_plugin_settings(name, **values)`` and ``storefront_cli(["plugins", "list"])``.

Helpers: ``csrf_token(html)``, ``hidden_inputs(html)``, ``form_fields(html, action_url)``,
``post_form(client, page_url, action_url, data)``, ``checkout(client, **fields)`` and
``flash_messages(html)``.

The fixtures may use the shop's internals; the tests that use them need not.
"""

from __future__ import annotations

import html as html_text
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from click.testing import Result
    from flask.testing import FlaskClient
    from werkzeug.test import TestResponse

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
INPUT_RE = re.compile(r"<input\b[^>]*>")
ATTR_RE = re.compile(r'(\w+)="([^"]*)"')
FLASH_RE = re.compile(r'<p class="flash (\w+)">(.*?)</p>', re.S)
FIELD_ERROR_RE = re.compile(r'<p class="error"[^>]*>(.*?)</p>', re.S)
MEMBER_EMAIL = "member@example.com"
STAFF_EMAIL = "staff@example.com"
OWNER_EMAIL = "owner@example.com"
PASSWORD = "test account password 123"  # noqa: S105 - the kit's test accounts
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


def flash_messages(html: str) -> list[tuple[str, str]]:
    """The messages a page flashes, as ``(category, text)``: ``("success", "Note saved.")``."""
    return [(category, html_text.unescape(text).strip())
            for category, text in FLASH_RE.findall(html)]


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
    """Post a form as a browser would: load its page (without following redirects), keep the
    hidden fields of the form that posts to ``action_url`` (the CSRF token among them), add
    ``data``, submit with the page's Origin. With no such form on the page, the page's CSRF
    token alone is sent; a page without one fails the test."""
    page = client.get(page_url)
    headers = {"Origin": page.request.host_url.rstrip("/"), **kwargs.pop("headers", {})}
    fields = form_fields(page.get_data(as_text=True), action_url)
    return client.post(action_url, data={**fields, **data}, headers=headers, **kwargs)


@pytest.fixture
def storefront_plugins() -> list[str]:
    return []


@pytest.fixture
def storefront_config() -> dict:
    return {}


@pytest.fixture
def storefront_settings() -> dict[str, dict]:
    return {}


def _test_shop_config(folder: Path, **overrides: object) -> dict:
    (folder / "content" / "products").mkdir(parents=True, exist_ok=True)
    (folder / "content" / "pages").mkdir(exist_ok=True)
    return {
        "SECRET_KEY": "storefront-test-secret-key-0123456789-abcdefghij",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'shop.sqlite3'}",
        "CONTENT_DIR": str(folder / "content"),
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(folder / "mail"),
        "BASE_URL": "http://localhost",
        # Events and messages are delivered as they are queued: after the commit, once
        # the request is over (the shop's own tests run the real worker too).
        "WORKER_QUEUE": "immediate",
        # argon2id at its smallest cost: a test makes accounts and log-ins by the dozen, at
        # about 50 ms each at the shop's cost.
        "PASSWORD_HASH_MEMORY_KIB": 8,
        "PASSWORD_HASH_TIME_COST": 1,
        **overrides,
    }


@pytest.fixture(scope="session")
def _storefront_migrated(tmp_path_factory) -> Path:
    """A SQLite database with the shop's tables and every installed plugin's, migrated once
    per test session (0.5 s); each test starts from a copy of it."""
    from storefront import create_app
    from storefront.database import migrate
    from storefront.extensions import db

    folder = tmp_path_factory.mktemp("storefront-migrated")
    app = create_app(_test_shop_config(folder), instance_path=str(folder / "instance"))
    migrate.upgrade(app)
    with app.app_context():
        db.engine.dispose()
    return folder / "shop.sqlite3"


@pytest.fixture
def storefront_app(request, tmp_path, storefront_plugins, storefront_config,
                   storefront_settings):
    from storefront import create_app
    from storefront.catalog.models import Product
    from storefront.database import migrate
    from storefront.extensions import db
    from storefront.plugins.state import save_settings, set_enabled

    config = _test_shop_config(tmp_path, **storefront_config)
    if not {"SQLALCHEMY_DATABASE_URI", "LOAD_ENTRY_POINT_PLUGINS"} & set(storefront_config):
        # The tables of the installed plugins are in the copy; upgrade adds any others'.
        shutil.copy(request.getfixturevalue("_storefront_migrated"), tmp_path / "shop.sqlite3")
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
def account_client(storefront_app) -> Callable[..., FlaskClient]:
    """``account_client(email, role="customer", name="")``: a new account, and a client
    logged in as it through the login form."""
    from storefront.accounts.models import Role
    from storefront.accounts.service import create_user

    def log_in(email: str, role: str = "customer", name: str = "") -> FlaskClient:
        with storefront_app.app_context():
            create_user(email, PASSWORD, name, Role(role))
        client = storefront_app.test_client()
        response = post_form(client, "/login", "/login", {"email": email, "password": PASSWORD})
        assert response.status_code == 302, f"{email} could not log in"
        return client

    return log_in


@pytest.fixture
def user_id(storefront_app) -> Callable[[str], int]:
    """``user_id("member@example.com")``: the id of the test shop's account with that email
    (a kit client's, or one a test registered); fails the test when there is none."""
    from sqlalchemy import select

    from storefront.accounts.models import User
    from storefront.accounts.service import normalise_email
    from storefront.extensions import db

    def find(email: str) -> int:
        with storefront_app.app_context():
            found = db.session.scalar(select(User.id)
                                      .where(User.email == normalise_email(email)))
        assert found is not None, f"no account {email} in the test shop"
        return found

    return find


@pytest.fixture
def member_client(account_client):
    return account_client(MEMBER_EMAIL, name="Member")


@pytest.fixture
def staff_client(account_client):
    """Staff may see Admin and mark orders paid, not cancel or refund them."""
    return account_client(STAFF_EMAIL, role="staff", name="Staff")


@pytest.fixture
def owner_client(account_client):
    return account_client(OWNER_EMAIL, role="owner", name="Owner")


@pytest.fixture
def cart_with():
    """``cart_with(client, {"TEST-A": 2})``: put products in the client's cart with the core's
    form (``POST /cart/add``, sent from a page of the shop), catalogue products and products a
    plugin offers (``hooks.offer_product``) alike; fails the test with what the shop said."""
    def fill(client, items: dict[str, int]) -> None:
        origin = client.get("/cart").request.host_url.rstrip("/")
        for sku, quantity in items.items():
            response = client.post("/cart/add", data={"sku": sku, "quantity": str(quantity)},
                                   headers={"Origin": origin})
            page = client.get(response.headers["Location"]) \
                if response.status_code in (302, 303) else response
            said = flash_messages(page.get_data(as_text=True))
            if not any(category == "success" for category, _text in said):
                raise AssertionError(f"could not add {sku}: "
                                     f"{'; '.join(text for _, text in said) or response.status}")

    return fill


@dataclass(frozen=True)
class PlacedOrder:
    """An order placed through the checkout form."""

    id: int
    number: str  # SF-000001, as shoppers and staff see it
    url: str  # the shopper's order page


def _refusal(client: FlaskClient, response: TestResponse) -> str:
    """What the shop told the shopper when the checkout did not place the order."""
    page = response
    if response.status_code in (302, 303):
        page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    messages = [text for _category, text in flash_messages(html)]
    messages += [html_text.unescape(text) for text in FIELD_ERROR_RE.findall(html)]
    return "; ".join(messages) or f"the checkout answered {response.status_code}"


@pytest.fixture
def place_order(storefront_app, cart_with) -> Callable[..., PlacedOrder]:
    """``place_order(client, {"TEST-A": 2}, **fields)``: fill the cart, submit the checkout
    form (as a guest or a member, whoever the client is) and return the order."""
    from sqlalchemy import select

    from storefront.extensions import db
    from storefront.orders.models import Order

    def place(client: FlaskClient, items: dict[str, int], **fields: str) -> PlacedOrder:
        cart_with(client, items)
        response = checkout(client, **fields)
        path = urlsplit(response.headers.get("Location", "")).path
        if response.status_code != 303 or not path.startswith("/orders/"):
            raise AssertionError(f"no order placed: {_refusal(client, response)}")
        with storefront_app.app_context():
            order = db.session.scalar(
                select(Order).where(Order.public_token == path.rsplit("/", 1)[1]))
            return PlacedOrder(id=order.id, number=order.number, url=path)

    return place


def _order_id(order: PlacedOrder | int) -> int:
    return order if isinstance(order, int) else order.id


def _staff_action(client: FlaskClient, order: PlacedOrder | int, action: str,
                  data: dict[str, str] | None = None) -> str:
    """Press a button of the order's page in Admin → Orders; returns the success message,
    or fails the test with what the shop answered."""
    page = f"/admin/orders/{_order_id(order)}"
    response = post_form(client, page, f"{page}/{action}", data or {}, follow_redirects=True)
    messages = flash_messages(response.get_data(as_text=True))
    done = [text for category, text in messages if category == "success"]
    if response.status_code != 200 or not done:
        raise AssertionError(f"{action} of order {_order_id(order)} refused: "
                             f"{messages or response.status}")
    return done[0]


@pytest.fixture
def pay_order(owner_client) -> Callable[[PlacedOrder | int], None]:
    """``pay_order(order)``: the owner marks an offline order paid (``shop_order_paid``)."""

    def pay(order: PlacedOrder | int) -> None:
        _staff_action(owner_client, order, "mark-paid")

    return pay


@pytest.fixture
def cancel_order(owner_client) -> Callable[[PlacedOrder | int], None]:
    """``cancel_order(order)``: the owner cancels an unpaid order (``shop_order_cancelled``)."""

    def cancel(order: PlacedOrder | int) -> None:
        _staff_action(owner_client, order, "cancel")

    return cancel


@pytest.fixture
def refund_order(storefront_app, owner_client) -> Callable[..., str]:
    """``refund_order(order, amount=None, reason=...)``: the owner refunds ``amount`` minor
    units of a paid order (all that is left when None); returns the refund id that
    ``shop_order_refunded`` receives."""
    from sqlalchemy import select

    from storefront.extensions import db
    from storefront.money import minor_to_text
    from storefront.orders.models import Order, Refund

    def refund(order: PlacedOrder | int, amount: int | None = None,
               reason: str = "refunded in a test") -> str:
        order_id = _order_id(order)
        if amount is None:
            with storefront_app.app_context():
                amount = db.session.get(Order, order_id).refundable
        _staff_action(owner_client, order, "refund",
                      {"amount": minor_to_text(amount), "reason": reason})
        with storefront_app.app_context():
            return db.session.scalar(select(Refund.provider_ref).where(
                Refund.order_id == order_id).order_by(Refund.id.desc()))

    return refund


@pytest.fixture
def set_plugin_settings(storefront_app) -> Callable[..., None]:
    """``set_plugin_settings(name, **values)``: save settings as Admin → Plugins and
    ``storefront plugins settings`` do, values as typed there ("12.50"); an invalid value
    raises ValueError naming the field, and nothing is saved."""
    from storefront.plugins.state import save_settings

    def save(name: str, **values: object) -> None:
        with storefront_app.app_context():
            save_settings(name, values, actor="test")

    return save


@pytest.fixture
def storefront_cli(storefront_app) -> Callable[..., Result]:
    """``storefront_cli(["plugins", "list"])``: run a ``storefront`` command against the test
    shop; returns click's ``Result`` (``exit_code``, ``output``). Keyword arguments go to
    ``CliRunner.invoke`` (``input="..."`` for a prompt)."""
    from storefront.cli import main

    runner = storefront_app.test_cli_runner()

    def run(args: list[str], **kwargs) -> Result:
        return runner.invoke(main, args, **kwargs)

    return run
