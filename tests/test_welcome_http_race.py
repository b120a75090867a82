"""The welcome reward (kept by the rewards plugin) raced as shoppers race it: the member
submits the checkout from two browsers at once (a member has one cart), through HTTP against
a running shop on PostgreSQL. One order is placed, with the reward once."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from loyalty_plugins.rewards.models import Reward
from storefront.extensions import db
from storefront.orders.models import Order
from tests.points_support import PASSWORD, member
from tests.support.live_server import Visitor, live_server, run_together
from tests.test_welcome import REWARD, configure
from tests.test_welcome import app as app  # noqa: F401 - the fixture, reused

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
SKU = "EQP-GRD-01"  # 69.00: 6.90 off with the reward


def _logged_in(server) -> Visitor:
    browser = Visitor(server)
    assert browser.post_form("/login", "/login", {
        "email": "mia@example.com", "password": PASSWORD}).status in (302, 303)
    return browser


def test_checking_out_from_two_browsers_at_once_uses_the_reward_once(app, shop):  # noqa: F811
    configure(app, **REWARD)
    _, uid = member(app, shop)
    slug = shop.product(SKU).slug
    with live_server(app) as server:
        browsers = [_logged_in(server) for _ in range(2)]
        assert browsers[0].post_form(f"/products/{slug}", "/cart/add",
                                     {"sku": SKU, "quantity": "1"}).status in (302, 303)
        forms = [{**browser.form("/checkout", "/checkout"), "email": "mia@example.com",
                  "name": "Mia", "address": "1 Road"} for browser in browsers]
        run_together([lambda b=b, f=f: b.post("/checkout", f)
                      for b, f in zip(browsers, forms, strict=True)])
    with app.app_context():
        discounts = db.session.scalars(select(Order.discount_total).where(
            Order.user_id == uid)).all()
        assert discounts == [690], discounts
        row = db.session.scalar(select(Reward).where(Reward.key == f"welcome:{uid}"))
        assert row.status == "reserved"
        assert db.session.get(Order, row.order_id).discount_total == 690
