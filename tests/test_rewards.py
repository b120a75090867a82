"""The rewards plugin: one-time rewards other plugins give, applied at checkout once, through
its published hooks exactly as a third party calls them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from hooks import call, provided, utcnow
from loyalty_plugins.rewards.models import Reward
from storefront.accounts.models import User
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.orders.service import cancel_order, mark_paid
from storefront.plugins.state import set_enabled
from tests.points_support import last_order_id, loyalty_app, member
from tests.support.live_server import run_together
from tests.test_welcome import staff_client

SKU = "EQP-GRD-01"  # 69.00


@pytest.fixture
def app(make_app):
    return loyalty_app(make_app, plugins=("rewards",), SQLALCHEMY_ENGINE_OPTIONS={
        "pool_size": 10, "max_overflow": 0})


def grant(app, user_id, key, days=30, label="Welcome gift", **offer):
    offer = offer or {"percent": Decimal(10)}
    with app.app_context():
        granted = call("rewards_grant", user_id=user_id, key=key, label=label,
                       label_args={}, percent=offer.get("percent"),
                       amount=offer.get("amount"), until=utcnow() + timedelta(days=days))
        db.session.commit()
        return granted


def status(app, key):
    with app.app_context():
        return call("rewards_status", key=key)


def cart(client):
    return client.get("/cart").get_data(as_text=True)


def test_granted_once_per_key_and_refused_when_malformed(app, shop):
    _, uid = member(app, shop)
    assert grant(app, uid, "test:1") is True
    assert grant(app, uid, "test:1", amount=500) is False  # the key was used
    assert status(app, "test:1") == "available" and status(app, "test:2") is None
    with app.app_context(), pytest.raises(ValueError, match="exactly one of percent or amount"):
        call("rewards_grant", user_id=uid, key="test:3", label="x", label_args={},
             percent=Decimal(5), amount=500, until=utcnow())
    with app.app_context(), pytest.raises(ValueError, match="amount must be a positive int"):
        call("rewards_grant", user_id=uid, key="test:3", label="x", label_args={},
             percent=None, amount=0, until=utcnow())


def test_one_reward_per_order_the_one_ending_soonest_then_the_next(app, shop):
    client, uid = member(app, shop)
    grant(app, uid, "test:later", days=30, amount=500)
    grant(app, uid, "test:sooner", days=5, percent=Decimal(10))
    shop.add(client, SKU)
    page = cart(client)
    assert "Welcome gift: 10% off, until" in page and "6.90" in page
    assert "€5.00 off" not in page
    shop.checkout(client, email="mia@example.com")
    first = last_order_id(app)
    assert status(app, "test:sooner") == "reserved" and status(app, "test:later") == "available"
    with app.app_context():
        assert db.session.get(Order, first).discount_total == 690
        mark_paid(first)
        db.session.commit()
    assert status(app, "test:sooner") == "used"
    shop.add(client, SKU)
    assert "Welcome gift: €5.00 off, until" in cart(client)
    shop.checkout(client, email="mia@example.com")
    with app.app_context():
        assert db.session.get(Order, last_order_id(app)).discount_total == 500
        cancel_order(last_order_id(app), "test")
        db.session.commit()
    assert status(app, "test:later") == "available"  # back with the cancelled order


def test_expired_and_revoked_rewards_are_not_applied(app, shop):
    client, uid = member(app, shop)
    grant(app, uid, "test:gone", days=1)
    grant(app, uid, "test:taken", days=10, amount=300)
    with app.app_context():
        assert call("rewards_revoke", key="test:taken") is True
        assert call("rewards_revoke", key="test:taken") is False
        db.session.commit()
    shop.add(client, SKU)
    assert "Welcome gift: 10% off" in cart(client)
    with app.app_context():
        db.session.get(Reward, db.session.scalar(
            select(Reward.id).where(Reward.key == "test:gone"))).until = utcnow()
        db.session.commit()
    assert "Welcome gift" not in cart(client)
    assert status(app, "test:gone") == "expired" and status(app, "test:taken") == "revoked"
    assert "Your rewards" not in client.get("/account").get_data(as_text=True)


def test_list_by_prefix_and_the_staff_view(app, shop):
    client, uid = member(app, shop)
    grant(app, uid, "winback:1")
    grant(app, uid, "birthday:2027", amount=500)
    with app.app_context():
        listed = call("rewards_list", key_prefix="winback:")
    assert [(row["key"], row["user_id"], row["status"]) for row in listed] == [
        ("winback:1", uid, "available")]
    shop.add(client, SKU)
    shop.checkout(client, email="mia@example.com")
    page = staff_client(app, shop, "staff").get(f"/admin/customers/{uid}").get_data(
        as_text=True)
    number = shop_order_number(app)
    assert f"held by unpaid order {number}" in page and "not used yet" in page


def shop_order_number(app):
    with app.app_context():
        return db.session.get(Order, last_order_id(app)).number


def test_the_label_is_shown_in_the_members_language(app, shop):
    with app.app_context():
        set_enabled("welcome", True, actor="test")  # its catalog holds "Welcome gift"
    client, uid = member(app, shop)
    grant(app, uid, "test:es")
    with app.app_context():
        db.session.get(User, uid).language = "es"  # as chosen on the account page
        db.session.commit()
    shop.add(client, SKU)
    assert "Regalo de bienvenida: un 10 % de descuento, hasta el" in cart(client)


def test_without_the_plugin_the_hooks_are_not_provided(app, shop):
    with app.app_context():
        set_enabled("rewards", False, actor="test")
        assert not provided("rewards_grant")


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_the_same_key_granted_from_eight_workers_at_once_gives_one_reward(app, shop):
    _, uid = member(app, shop)

    def give():
        try:
            return grant(app, uid, "referral:7")
        finally:
            with app.app_context():
                db.session.remove()

    assert sorted(run_together([give for _ in range(8)])) == [False] * 7 + [True]
    with app.app_context():
        assert db.session.scalars(select(Reward.key)).all() == ["referral:7"]
