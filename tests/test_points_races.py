"""Points under concurrency, on PostgreSQL: no double spend, the cache equals the ledger."""

import random
import threading
from datetime import timedelta

import pytest
from flask import session as flask_session
from sqlalchemy import func, select

from hooks import CustomerView
from loyalty_plugins.points import config, ledger
from loyalty_plugins.points.clock import utcnow
from loyalty_plugins.points.models import PointsAccount, PointsEntry, PointsLot
from loyalty_plugins.points.views import REDEEM_KEY
from storefront.cart.models import Cart
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.orders.service import CheckoutError, Contact, place_order
from tests.points_support import ledger_matches_cache, loyalty_app, open_carts
from tests.test_concurrency import POOL, run_together

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


@pytest.fixture
def app(make_app):
    return loyalty_app(make_app, **POOL)


def new_member(app, email):
    from storefront.accounts.service import create_user

    with app.app_context():
        return create_user(email, "correct horse battery", "M").id


def test_twenty_checkouts_redeeming_the_same_100_points_one_wins(app):
    uid = new_member(app, "mia@example.com")
    with app.app_context():
        ledger.grant(uid, 100, "bonus", ledger.Who("t"), config.current(), now=utcnow())
        db.session.commit()
    carts = open_carts(app, uid, 20)
    customer = CustomerView(uid, "mia@example.com", "M", "customer")

    def checkout(cart_id, token):
        with app.test_request_context():
            flask_session[REDEEM_KEY] = 100
            cart = db.session.get(Cart, cart_id)
            try:
                place_order(cart, customer, Contact("mia@example.com", "M", "1 Road"), token,
                            6900 - 100, "offline")
                return "placed"
            except CheckoutError as exc:
                return str(exc)
            finally:
                db.session.remove()

    results = run_together([lambda c=c, t=t: checkout(c, t) for c, t in carts])
    assert results.count("placed") == 1, results
    # The losers are told why: the points are gone, or (when the winner committed before
    # they priced the cart) the total they confirmed no longer holds.
    assert all("points" in r or "Prices changed" in r for r in results if r != "placed")
    with app.app_context():
        debits = db.session.scalar(select(func.count(PointsEntry.id)).where(
            PointsEntry.kind == "reserve", PointsEntry.bucket == "reserved"))
        assert debits == 1
        assert db.session.scalar(select(func.count(Order.id))) == 1
    assert ledger_matches_cache(app, uid)


def test_random_concurrent_workload_keeps_cache_equal_to_ledger(app):
    members = [new_member(app, f"m{i}@example.com") for i in range(4)]
    rng = random.Random(7)
    order_ids = iter(range(10_000, 20_000))
    lock = threading.Lock()

    def next_order():
        with lock:
            return next(order_ids)

    def operation(kind, uid, seed):
        local = random.Random(seed)
        with app.app_context():
            cfg = config.current()
            now = utcnow()
            try:
                if kind == "earn":
                    ledger.grant(uid, local.randint(1, 300), "bonus", ledger.Who("w"), cfg,
                                 now=now - timedelta(days=local.choice([0, 400])))
                elif kind == "redeem":
                    order = next_order()
                    ledger.reserve(uid, local.randint(1, 200), order, now=now)
                    db.session.commit()
                    ledger.spend(order, now=now) if local.random() < 0.5 else \
                        ledger.release(order, now=now)
                elif kind == "earn-order":
                    order = next_order()
                    ledger.grant(uid, 100, "earn", ledger.Who("o"), cfg, now=now,
                                 key=f"earn:{order}", order_id=order)
                    db.session.commit()
                    ledger.reverse_for_refund(order, f"re_{order}", local.randint(1, 100), 100,
                                              now=now)
                elif kind == "adjust":
                    ledger.adjust(uid, -local.randint(1, 100), ledger.Who("a", "s"), cfg,
                                  now=now)
                else:
                    ledger.expire(now)
                db.session.commit()
            except ledger.PointsError:
                db.session.rollback()
            finally:
                db.session.remove()

    kinds = ["earn", "redeem", "earn-order", "adjust", "expire"]
    for _round in range(3):
        work = [(rng.choice(kinds), rng.choice(members), rng.random()) for _ in range(24)]
        run_together([lambda w=w: operation(*w) for w in work])
    with app.app_context():
        for account in db.session.scalars(select(PointsAccount)):
            assert account.available >= 0 and account.pending >= 0 and account.reserved >= 0
    for uid in members:
        assert ledger_matches_cache(app, uid)


def test_expiry_job_during_redemptions_deducts_nothing_twice(app):
    uid = new_member(app, "mia@example.com")
    with app.app_context():
        cfg = config.current()
        for _ in range(10):  # 10 lots of 50, all past their expiry date
            ledger.grant(uid, 50, "bonus", ledger.Who("old"), cfg,
                         now=utcnow() - timedelta(days=400))
        ledger.grant(uid, 500, "bonus", ledger.Who("fresh"), cfg, now=utcnow())
        db.session.commit()

    def expire():
        with app.app_context():
            ledger.expire(utcnow())
            db.session.commit()
            db.session.remove()

    def redeem(order_id):
        with app.app_context():
            try:
                ledger.reserve(uid, 100, order_id, now=utcnow())
                db.session.commit()
            except ledger.PointsError:
                db.session.rollback()
            db.session.remove()

    run_together([expire] * 4 + [lambda i=i: redeem(i) for i in range(1, 9)])
    with app.app_context():
        expired = -db.session.scalar(select(func.sum(PointsEntry.delta)).where(
            PointsEntry.kind == "expire"))
        reserved = db.session.scalar(select(func.sum(PointsEntry.delta)).where(
            PointsEntry.kind == "reserve", PointsEntry.bucket == "reserved"))
        account = db.session.get(PointsAccount, uid)
        assert expired == 500 and reserved == 500 and account.available == 0
        assert db.session.scalar(select(func.sum(PointsLot.remaining))) == 0
    assert ledger_matches_cache(app, uid)
