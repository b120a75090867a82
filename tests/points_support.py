"""Helpers for the points and tiers tests: a shop with the built-in plugins switched on."""

from __future__ import annotations

from sqlalchemy import select

from hooks import call
from loyalty_plugins.points import ledger
from loyalty_plugins.points.models import PointsAccount
from storefront.accounts.models import User
from storefront.cart.models import Cart, CartLine
from storefront.catalog.models import Product
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.plugins.state import save_settings, set_enabled
from tests.support.forms import post_form

PASSWORD = "correct horse battery"


def loyalty_app(make_app, plugins=("points",), settings=None, **config):
    app = make_app(LOAD_ENTRY_POINT_PLUGINS=True, **config)
    with app.app_context():
        for name, values in (settings or {}).items():
            save_settings(name, values, actor="test")
        for name in plugins:
            set_enabled(name, True, actor="test")
    return app


def member(app, shop, email="mia@example.com", name="Mia"):
    shop.app = app
    client = app.test_client()
    shop.register(client, email=email, name=name)
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
    return client, user_id


def give(app, user_id, points, key):
    with app.app_context():
        assert call("points_grant", user_id=user_id, points=points, reason="test bonus", key=key,
                    actor="system")
        db.session.commit()


def balance(app, user_id):
    with app.app_context():
        account = db.session.get(PointsAccount, user_id)
        return (account.available, account.pending, account.reserved) if account else (0, 0, 0)


def ledger_matches_cache(app, user_id):
    with app.app_context():
        account = db.session.get(PointsAccount, user_id)
        totals = ledger.ledger_totals(user_id)
        return (account.available, account.pending, account.reserved) == (
            totals["available"], totals["pending"], totals["reserved"])


def redeem(client, points=None, action="use"):
    data = {"action": action}
    if points is not None:
        data["points"] = str(points)
    return post_form(client, "/checkout", "/plugins/points/redeem", data)


def last_order_id(app):
    with app.app_context():
        return db.session.scalar(select(Order.id).order_by(Order.id.desc()))


def open_carts(app, user_id: int, count: int, sku: str = "EQP-GRD-01") -> list[tuple[int, str]]:
    """``count`` carts of the member's, each holding one ``sku``: (cart id, checkout token)
    each, for races of checkouts at once."""
    with app.app_context():
        product_id = db.session.scalar(select(Product.id).where(Product.sku == sku))
        carts = []
        for _ in range(count):
            cart = Cart(user_id=user_id, lines=[CartLine(product_id=product_id, quantity=1)])
            db.session.add(cart)
            db.session.flush()
            carts.append((cart.id, cart.checkout_token))
        db.session.commit()
    return carts
