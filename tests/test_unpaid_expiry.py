"""Stock hoarding: an order nobody pays is cancelled after UNPAID_ORDER_HOURS (per payment
method), releasing its stock, points and seats once; guests cannot place orders without
end from one address.

The attack: an anonymous shopper places a bank-transfer order for the last unit and never
pays. Before, offline orders never expired, so the unit was off sale for good.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storefront import create_app
from storefront.cli import main
from storefront.config import ConfigError
from storefront.events.models import DomainEvent
from storefront.extensions import db
from storefront.orders.models import Order, OrderStatus
from storefront.orders.service import mark_paid
from storefront.timeutil import utcnow
from tests.points_support import balance, give, ledger_matches_cache, loyalty_app, member, redeem
from tests.support.forms import post_form
from tests.test_admin import staff_client
from tests.test_concurrency import POOL, run_together

LAST_UNIT = "GFT-JRN-01"


def order_of(app, order_id: int) -> Order:
    with app.app_context():
        order = db.session.get(Order, order_id)
        db.session.expunge(order)
        return order


def orders(app) -> list[int]:
    with app.app_context():
        return db.session.scalars(select(Order.id).order_by(Order.id)).all()


def time_passes(app, hours: int) -> None:
    """Every order was placed ``hours`` earlier than it was."""
    with app.app_context():
        for order in db.session.scalars(select(Order)):
            order.created_at -= timedelta(hours=hours)
        db.session.commit()


def run_jobs(app, *args: str) -> None:
    result = app.test_cli_runner().invoke(main, ["jobs", "run", *args])
    assert result.exit_code == 0, result.output


def cancellations(app, order_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(DomainEvent.id)).where(
            DomainEvent.type == "order.cancelled", DomainEvent.aggregate_id == str(order_id)))


def test_an_unpaid_transfer_order_for_the_last_unit_is_cancelled_after_seven_days(app, shop):
    shop.set_stock(LAST_UNIT, 1)
    hoarder = app.test_client()
    shop.add(hoarder, LAST_UNIT)
    assert shop.checkout(hoarder, email="hoarder@example.com").status_code == 303
    [order_id] = orders(app)
    page = hoarder.get(f"/orders/{order_of(app, order_id).public_token}").get_data(True)
    assert "Please pay by" in page and "an order unpaid by then is cancelled" in page
    assert shop.product(LAST_UNIT).stock == 0  # off sale for everyone else
    time_passes(app, 24 * 7 - 1)
    run_jobs(app, "--force")
    assert order_of(app, order_id).status == OrderStatus.AWAITING_PAYMENT  # not yet
    time_passes(app, 2)
    run_jobs(app, "--force")
    run_jobs(app, "--force")  # a second run, or a second worker, releases nothing more
    order = order_of(app, order_id)
    assert order.status == OrderStatus.CANCELLED
    assert order.cancel_reason == "not paid within 7 days"
    assert shop.product(LAST_UNIT).stock == 1 and cancellations(app, order_id) == 1
    buyer = app.test_client()
    shop.add(buyer, LAST_UNIT)
    assert shop.checkout(buyer, email="buyer@example.com").status_code == 303  # on sale again


def test_the_deadline_is_a_setting_per_payment_method(make_app, shop):
    app = make_app(UNPAID_ORDER_HOURS={"offline": 48})
    assert app.config["UNPAID_ORDER_HOURS"] == {"offline": 48, "stripe": 24}
    shop.app, client = app, app.test_client()
    shop.add(client, LAST_UNIT)
    shop.checkout(client)
    time_passes(app, 49)
    run_jobs(app, "--only", "core:expire-unpaid-orders", "--force")
    assert order_of(app, orders(app)[0]).cancel_reason == "not paid within 2 days"


@pytest.mark.parametrize("value", [{"offline": 0}, {"cash": 5}, {"offline": "a week"}, 72])
def test_a_deadline_that_cannot_be_used_stops_the_start(tmp_path, value):
    with pytest.raises(ConfigError, match="UNPAID_ORDER_HOURS"):
        create_app({"SECRET_KEY": "k" * 40, "UNPAID_ORDER_HOURS": value,
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/s.sqlite3"},
                   instance_path=str(tmp_path))


def test_the_points_an_expired_order_held_are_released_once(make_app, shop):
    app = loyalty_app(make_app)
    client, uid = member(app, shop)
    give(app, uid, 500, "gift")
    shop.add(client, "EQP-GRD-01")
    redeem(client, 300)
    shop.checkout(client)
    assert balance(app, uid) == (200, 0, 300)  # held for the unpaid order
    time_passes(app, 24 * 8)
    run_jobs(app, "--force")
    run_jobs(app, "--force")
    assert balance(app, uid) == (500, 0, 0) and ledger_matches_cache(app, uid)


def test_staff_marking_an_expired_order_paid_is_told_to_return_the_transfer(app, shop):
    client = app.test_client()
    shop.add(client, LAST_UNIT)
    shop.checkout(client)
    [order_id] = orders(app)
    time_passes(app, 24 * 8)
    run_jobs(app, "--force")
    staff = staff_client(app, shop, "staff")
    answer = post_form(staff, f"/admin/orders/{order_id}",
                       f"/admin/orders/{order_id}/mark-paid", {})
    page = staff.get(answer.headers["Location"]).get_data(as_text=True)
    assert "It was cancelled (not paid within 7 days); return the transfer" in page
    assert order_of(app, order_id).status == OrderStatus.CANCELLED


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_expiry_racing_a_late_payment_ends_paid_or_cancelled_never_both(make_app, shop):
    app = make_app(GUEST_ORDER_LIMIT_PER_CLIENT="100 per minute", **POOL)
    shop.app = app
    shop.set_stock(LAST_UNIT, stock := 20)
    for i in range(10):
        client = app.test_client()
        shop.add(client, LAST_UNIT)
        shop.checkout(client, email=f"late{i}@example.com")
    placed = orders(app)
    time_passes(app, 24 * 7 + 1)

    def expire():
        with app.app_context():
            from storefront.orders.expiry import expire_unpaid_transfers
            return expire_unpaid_transfers(utcnow())

    def pay(order_id):
        with app.app_context():
            return mark_paid(order_id)

    results = run_together([expire, *(lambda o=o: pay(o) for o in placed)])
    cancelled, paid = results[0], sum(results[1:])
    assert cancelled + paid == len(placed)
    statuses = [order_of(app, o).status for o in placed]
    assert statuses.count(OrderStatus.PAID) == paid
    assert statuses.count(OrderStatus.CANCELLED) == cancelled
    assert shop.product(LAST_UNIT).stock == stock - paid  # each cancelled unit back once
    with app.app_context():
        for order_id in placed:
            kinds = db.session.scalars(select(DomainEvent.type).where(
                DomainEvent.aggregate_id == str(order_id),
                DomainEvent.type.in_(("order.paid", "order.cancelled")))).all()
            assert len(kinds) == 1, (order_id, kinds)


def _guest_order(app, shop, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    shop.add(client, "TEA-SEN-100")
    return shop.checkout(client, email=f"guest@{address}.example.com")


def test_guests_place_at_most_ten_orders_an_hour_from_one_address(app, shop):
    answers = [_guest_order(app, shop, "203.0.113.7") for _ in range(11)]
    assert [a.status_code for a in answers] == [303] * 10 + [429]
    refused = answers[-1]
    assert int(refused.headers["Retry-After"]) > 3000
    assert "Too many orders from your address without an account" in refused.get_data(True)
    assert len(orders(app)) == 10
    assert _guest_order(app, shop, "198.51.100.9").status_code == 303  # someone else
    member_client, _uid = member(app, shop)
    member_client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    shop.add(member_client, "TEA-SEN-100")
    assert shop.checkout(member_client).status_code == 303  # members are known: not counted
