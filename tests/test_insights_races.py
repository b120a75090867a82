"""The owner's double click on "Send to N members", as the browser sends it: two POSTs of the
same form at once, through HTTP against a running shop on PostgreSQL. One message goes out.
And two orders of one customer paid at once: the kept sums count both."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from hooks import CustomerView
from loyalty_plugins.insights.models import CustomerHistory, Purchase, SegmentMessage
from storefront.cart.models import Cart
from storefront.extensions import db
from storefront.notifications.models import Notification
from storefront.orders.service import Contact, mark_paid, place_order
from tests.points_support import loyalty_app, open_carts
from tests.support.live_server import Visitor, live_server, run_together
from tests.test_concurrency import POOL
from tests.test_insights_kept import matches_a_rebuild
from tests.test_insights_targeting import SEGMENT
from tests.test_insights_targeting import app as app  # noqa: F401 - the fixture, reused
from tests.test_points_races import new_member

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def test_the_same_message_form_sent_twice_at_once_sends_once(app, shop):  # noqa: F811
    shop.create_user("owner@example.com", role="owner")
    with live_server(app) as server:
        owner = Visitor(server)
        assert owner.post_form("/login", "/login", {
            "email": "owner@example.com", "password": "correct horse battery"}).status in (
            302, 303)
        fields = {**owner.form(SEGMENT, f"{SEGMENT}/message"), "subject": "Twice clicked",
                  "body": "One of these, please.", "action": "send"}
        answers = run_together([lambda: owner.post(f"{SEGMENT}/message", fields)] * 2)
    assert all(answer.status in (302, 303) for answer in answers), answers
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SegmentMessage)) == 1
        assert db.session.scalar(select(func.count()).where(
            Notification.subject == "Twice clicked")) == 1


@pytest.fixture
def kept_app(make_app):
    return loyalty_app(make_app, plugins=("insights",), **POOL)


def test_two_orders_of_one_customer_paid_at_once_are_both_summed(kept_app):
    """Two workers with the payments of two orders of one customer: the first reads the
    customer's orders while the second order is not yet paid, the second reads them after;
    each sums them again holding the customer's row, so the second waits for the first and
    neither writes over the other. To make the workers meet every time, the test holds the
    customer's row while both payments are made, then lets go."""
    user_id = new_member(kept_app, "mia@example.com")
    customer = CustomerView(user_id, "mia@example.com", "Mia", "customer")
    orders = []
    for cart_id, token in open_carts(kept_app, user_id, 3, sku="COF-ETH-250"):
        with kept_app.test_request_context():
            cart = db.session.get(Cart, cart_id)
            orders.append(place_order(cart, customer, Contact("mia@example.com", "Mia", "1 Road"),
                                      token, 1740, "offline").id)  # 12.50 + 4.90
            db.session.remove()

    def pay(order_id):
        with kept_app.app_context():
            try:
                assert mark_paid(order_id)  # its event is delivered in this thread
            finally:
                db.session.remove()

    pay(orders[0])
    with kept_app.app_context():
        holder = db.engine.connect()
        holding = holder.begin()
        holder.execute(select(CustomerHistory.customer).where(
            CustomerHistory.customer == "mia@example.com").with_for_update())
        workers = [threading.Thread(target=pay, args=(order_id,)) for order_id in orders[1:]]
        for worker in workers:
            worker.start()
            time.sleep(0.5)  # paid, and its event waiting for the customer's row
        holding.commit()
        holder.close()
        for worker in workers:
            worker.join(30)
        kept = db.session.get(CustomerHistory, "mia@example.com")
        assert (kept.orders, kept.net) == (3, 3 * 1740)
        assert db.session.scalar(select(func.count()).select_from(Purchase)) == 3
    assert matches_a_rebuild(kept_app)
