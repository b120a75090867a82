"""The welcome plugin under concurrency, on PostgreSQL: one gift and one message per address,
one order per reward."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hooks import CustomerView
from loyalty_plugins.points.models import PointsEntry
from loyalty_plugins.rewards.models import Reward
from loyalty_plugins.welcome.models import Welcome, WelcomedAddress
from storefront.cart.models import Cart
from storefront.events.delivery import handle
from storefront.events.models import DomainEvent
from storefront.extensions import db
from storefront.notifications.models import Notification
from storefront.orders.models import Order
from storefront.orders.service import CheckoutError, Contact, place_order
from storefront.plugins.state import save_settings, set_enabled
from tests.points_support import loyalty_app, member, open_carts
from tests.test_concurrency import POOL, run_together

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def app(make_app):
    return loyalty_app(make_app, plugins=("points",), **POOL)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_two_workers_delivering_the_same_event_at_once_give_one_gift_and_one_message(app, shop):
    _, uid = member(app, shop)  # registered while the plugin was off: not welcomed yet
    with app.app_context():
        set_enabled("welcome", True, actor="test")
        event_id = db.session.scalar(select(DomainEvent.id).where(
            DomainEvent.type == "customer.verified", DomainEvent.aggregate_id == str(uid)))

    def deliver():
        with app.app_context():
            try:
                handle("welcome", db.session.get(DomainEvent, event_id))
                db.session.commit()
            finally:
                db.session.remove()

    run_together([deliver for _ in range(8)])
    with app.app_context():
        assert count(Notification, Notification.plugin == "welcome") == 1
        assert count(PointsEntry, PointsEntry.key.startswith("welcome:")) == 1
        assert count(WelcomedAddress) == 1
        [outcome] = db.session.scalars(select(Welcome.outcome)).all()
        assert outcome == "welcomed"  # never "address used" for its own address


def test_ten_checkouts_at_once_use_the_reward_once(app, shop):
    with app.app_context():
        set_enabled("welcome", True, actor="test")
        set_enabled("rewards", True, actor="test")
        save_settings("welcome", {"gift": "reward", "reward": "percent",
                                  "reward_percent": "10"}, actor="test")
    _, uid = member(app, shop)
    carts = open_carts(app, uid, 10)
    customer = CustomerView(uid, "mia@example.com", "Mia", "customer")

    def checkout(cart_id, token):
        with app.test_request_context():
            try:
                place_order(db.session.get(Cart, cart_id), customer,
                            Contact("mia@example.com", "Mia", "1 Road"), token, 6900 - 690,
                            "offline")
                return "placed"
            except CheckoutError as exc:
                return str(exc)
            finally:
                db.session.remove()

    results = run_together([lambda c=c, t=t: checkout(c, t) for c, t in carts])
    assert results.count("placed") == 1, results
    assert all("Your reward was used" in r or "Prices changed" in r
               for r in results if r != "placed")
    with app.app_context():
        assert count(Order) == 1
        [row] = db.session.scalars(select(Reward)).all()
        assert row.status == "reserved" and row.key == f"welcome:{uid}"
        assert row.order_id == db.session.scalar(select(Order.id))
