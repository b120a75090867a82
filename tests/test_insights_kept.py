"""The sums the insights plugin keeps from the order events (loyalty_plugins/insights/history.py)
equal the sums computed again from every order, after payments, refunds, cancellations and
imports; and the refresh's figures from them equal those from every order. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hooks import utcnow
from loyalty_plugins.insights import history
from loyalty_plugins.insights.models import CustomerFigures, CustomerHistory, Purchase, Summary
from loyalty_plugins.insights.snapshot import refresh
from storefront.extensions import db
from storefront.imports.orders import import_orders
from storefront.orders.service import cancel_order, mark_paid, record_refund
from tests.points_support import last_order_id, loyalty_app, member

SKU = "COF-ETH-250"


def kept_rows() -> tuple[list, list]:
    """Both kept tables, every column, in key order."""
    sums = db.session.execute(select(CustomerHistory.__table__).order_by(
        CustomerHistory.customer)).all()
    purchases = db.session.execute(select(Purchase.__table__).order_by(
        Purchase.order_id)).all()
    return [tuple(row) for row in sums], [tuple(row) for row in purchases]


def matches_a_rebuild(app) -> bool:
    with app.app_context():
        kept = kept_rows()
        history.rebuild()
        return kept == kept_rows()


def import_history(app, tmp_path, name: str, rows: list[str]) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_text("\n".join(["order,email,date,total,refunded", *rows]) + "\n")
    with app.app_context():
        assert import_orders(path).imported == len(rows)


def place(app, shop, client, email: str) -> int:
    shop.add(client, SKU)
    assert shop.checkout(client, email=email).status_code == 303
    return last_order_id(app)


def pay(app, order_id: int) -> None:
    with app.app_context():
        assert mark_paid(order_id)


@pytest.fixture
def app(make_app):
    return loyalty_app(make_app, plugins=("insights",))


def test_payments_refunds_cancellations_and_imports_keep_the_sums_of_a_rebuild(
        app, shop, tmp_path):
    now = utcnow()
    import_history(app, tmp_path, "first", [
        f"old-{n},{who}@example.com,{(now - timedelta(days=days)).isoformat()},20.00,{refund}"
        for n, (who, days, refund) in enumerate([
            ("ana", 400, ""), ("ana", 300, "5.00"), ("bo", 90, ""), ("mia", 30, "")])])
    with app.app_context():
        assert not history.in_step()  # an import sends no event
        refresh(utcnow())  # so the refresh sums everything again
        assert history.in_step()
    mia, _user_id = member(app, shop, email="mia@example.com")
    first = place(app, shop, mia, "mia@example.com")
    pay(app, first)
    second = place(app, shop, mia, "mia@example.com")
    unpaid = place(app, shop, app.test_client(), "gus@example.com")
    pay(app, second)
    guest = place(app, shop, app.test_client(), "Ana@Example.com")  # ana, as a guest
    pay(app, guest)
    with app.app_context():
        assert cancel_order(unpaid, "cancelled by test")
        assert record_refund(first, "re_1", 300, "a cup broken")
        assert record_refund(guest, "re_2", 1740, "all of it")  # 12.50 + 4.90 shipping
        assert history.in_step()
        customers = {row.customer: row for row in db.session.scalars(select(CustomerHistory))}
    # Gus's order was never paid: not a customer. Mia: one imported, two paid, one refunded.
    assert set(customers) == {"ana@example.com", "bo@example.com", "mia@example.com"}
    mia_sums = customers["mia@example.com"]
    assert (mia_sums.orders, mia_sums.net, mia_sums.transfer_orders,
            mia_sums.known_payment_orders, mia_sums.refunded_orders) == (
        3, 2000 + 1740 - 300 + 1740, 2, 2, 1)
    assert mia_sums.user_id is not None
    assert matches_a_rebuild(app)
    import_history(app, tmp_path, "second", [
        f"more-0,bo@example.com,{(now - timedelta(days=10)).isoformat()},15.00,",
        f"more-1,new@example.com,{(now - timedelta(days=5)).isoformat()},15.00,"])
    with app.app_context():
        assert not history.in_step()
        refresh(utcnow())
        assert history.in_step()
    assert matches_a_rebuild(app)


def figures() -> tuple[list, list]:
    rows = db.session.execute(select(CustomerFigures.__table__).order_by(
        CustomerFigures.customer)).all()
    summary = db.session.execute(select(Summary.__table__)).all()
    return ([tuple(row) for row in rows],
            [tuple(value for key, value in row._mapping.items() if key != "id")
             for row in summary])


def test_the_refresh_from_the_kept_sums_writes_the_figures_of_every_order(app, tmp_path):
    now = utcnow().replace(microsecond=0)
    # Twelve customers, 1-6 orders each, some refunded: enough for the value models.
    import_history(app, tmp_path, "history", [
        f"h-{c}-{n},c{c}@example.com,{(now - timedelta(days=7 * c + 23 * n + 1)).isoformat()},"
        f"{10 + c}.00,{'2.00' if (c + n) % 5 == 0 else ''}"
        for c in range(12) for n in range(1 + c % 6)])
    with app.app_context():
        refresh(now)  # rebuilds the kept sums, then reads them
        kept = figures()
        refresh(now, kept=False)
        assert figures() == kept
    assert kept[0] and kept[1][0][3] > 0  # repeat customers
