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


def test_one_form_sent_from_six_browsers_at_once_through_http_makes_one_order(app, shop):
    """A member sends the checkout from six browsers at once, through HTTP against a running
    shop with the default pool: one order, and every browser is sent to it."""
    from tests.points_support import PASSWORD, member
    from tests.support.live_server import Visitor, live_server
    from tests.support.live_server import run_together as at_once

    member(app, shop)
    slug = shop.product("EQP-GRD-01").slug
    with live_server(app) as server:
        browsers = [Visitor(server) for _ in range(6)]
        for browser in browsers:
            assert browser.post_form("/login", "/login", {
                "email": "mia@example.com", "password": PASSWORD}).status in (302, 303)
        assert browsers[0].post_form(f"/products/{slug}", "/cart/add", {
            "sku": "EQP-GRD-01", "quantity": "2"}).status in (302, 303)
        forms = [{**browser.form("/checkout", "/checkout"), "email": "mia@example.com",
                  "name": "Mia", "address": "1 Road"} for browser in browsers]
        answers = at_once([lambda b=b, f=f: b.post("/checkout", f)
                           for b, f in zip(browsers, forms, strict=True)])
    assert {answer.status for answer in answers} == {303}
    locations = {answer.headers["Location"] for answer in answers}
    assert len(locations) == 1 and "/orders/" in next(iter(locations)), locations
    with app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 1
    assert shop.product("EQP-GRD-01").stock == 6
