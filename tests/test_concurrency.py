"""Races on a real PostgreSQL: stock and double submits hold under concurrency."""

import threading

import pytest
from sqlalchemy import func, select

from storefront.extensions import db
from storefront.orders.models import Order

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

POOL = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 25, "max_overflow": 10}}


@pytest.fixture
def pg_app(make_app):
    # Twenty shoppers, all from the test's one address: the guest-order limit would stop them.
    return make_app(GUEST_ORDER_LIMIT_PER_CLIENT="100 per minute", **POOL)


def run_together(functions):
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)
    errors = []

    def worker(i, fn):
        try:
            barrier.wait(timeout=30)
            results[i] = fn()
        except Exception as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i, fn)) for i, fn in enumerate(functions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def test_last_item_twenty_concurrent_checkouts_one_order(pg_app):
    from tests.conftest import Shop

    shop = Shop(pg_app)
    shop.set_stock("GFT-JRN-01", 1)
    prepared = []
    for i in range(20):
        client = pg_app.test_client()
        shop.add(client, "GFT-JRN-01")
        fields = shop.checkout_fields(client)
        prepared.append((client, {**fields, "email": f"s{i}@example.com", "name": f"S{i}",
                                  "address": "1 Road"}))
    responses = run_together([lambda c=c, d=d: c.post("/checkout", data=d)
                              for c, d in prepared])
    assert all(r.status_code == 303 for r in responses)
    placed = [r for r in responses if r.headers["Location"].startswith("/orders/")]
    assert len(placed) == 1
    with pg_app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 1
    assert shop.product("GFT-JRN-01").stock == 0


def test_ten_parallel_submissions_of_one_form_make_one_order(pg_app):
    from tests.conftest import Shop

    shop = Shop(pg_app)
    client = pg_app.test_client()
    shop.add(client, "EQP-GRD-01", 2)
    fields = shop.checkout_fields(client)
    data = {**fields, "email": "a@example.com", "name": "A", "address": "1 Road"}
    cookie = client.get_cookie("session").value

    def submit():
        twin = pg_app.test_client()
        twin.set_cookie("session", cookie)
        return twin.post("/checkout", data=data)

    responses = run_together([submit] * 10)
    locations = {r.headers["Location"] for r in responses}
    assert len(locations) == 1 and next(iter(locations)).startswith("/orders/")
    with pg_app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 1
    assert shop.product("EQP-GRD-01").stock == 6
