"""The pricing pipeline: plugins propose, the resolver decides; orders keep the result."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from hooks import Adjustment, CartLineView, CartView, CustomerView, hookimpl
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.plugins import build_manager
from storefront.pricing import PricingError, quote, resolve

CART = CartView(
    lines=(CartLineView(1, "A", "Alpha", 1000, 2), CartLineView(2, "B", "Beta", 500, 1)),
    currency="EUR", shipping=490,
)
GUEST = CustomerView(None)


class TenPercentOff:
    @hookimpl
    def shop_cart_adjustments(self, cart, customer):
        return [Adjustment(plugin="ten", code="TEN", label="10% off", percent=Decimal(10))]


class Broken:
    @hookimpl
    def shop_cart_adjustments(self, cart, customer):
        raise RuntimeError("boom")


def test_quote_without_plugins_is_subtotal_plus_shipping():
    q = quote(CART, GUEST, build_manager(load_entry_points=False))
    assert (q.subtotal, q.shipping, q.discount_total, q.total) == (2500, 490, 0, 2990)


def test_quote_applies_plugin_adjustments():
    q = quote(CART, GUEST, build_manager([TenPercentOff()], load_entry_points=False))
    assert q.discount_total == 250 and q.total == 2740
    assert q.adjustments[0].label == "10% off"


def test_a_failing_pricing_plugin_stops_the_quote():
    with pytest.raises(PricingError):
        quote(CART, GUEST, build_manager([Broken()], load_entry_points=False))


def test_adjustment_needs_amount_or_percent():
    with pytest.raises(ValueError):
        Adjustment(plugin="p", code="c", label="l")
    with pytest.raises(TypeError):
        Adjustment(plugin="p", code="c", label="l", amount=1.5)


def test_line_adjustment_targets_skus_and_respects_cap():
    adj = Adjustment(plugin="p", code="c", label="l", phase="line", percent=Decimal(50),
                     target_skus=("A",), cap=700)
    q = resolve(CART, [adj])
    assert [ln.discount for ln in q.lines] == [700, 0] and q.total == 2990 - 700


adjustments = st.builds(
    Adjustment,
    plugin=st.sampled_from(["p1", "p2", "p3"]), code=st.sampled_from(["a", "b", "c"]),
    label=st.just("x"), phase=st.sampled_from(["line", "order", "shipping", "tender"]),
    amount=st.integers(min_value=0, max_value=10_000),
    priority=st.integers(min_value=0, max_value=3),
)


@given(st.lists(adjustments, max_size=8), st.randoms())
def test_total_never_negative_and_independent_of_plugin_order(props, rnd):
    first = resolve(CART, props)
    shuffled = list(props)
    rnd.shuffle(shuffled)
    second = resolve(CART, shuffled)
    assert first.total >= 0 and all(line.total >= 0 for line in first.lines)
    assert first.total == second.total and first.lines == second.lines


def test_order_stores_its_adjustments_and_trace(make_app, shop):
    app = make_app(EXTRA_PLUGINS=[TenPercentOff()])
    client = app.test_client()
    shop.app = app
    shop.add(client, "EQP-GRD-01")
    assert "10% off" in client.get("/checkout").get_data(as_text=True)
    location = shop.checkout(client).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert "Why this price?" in html and "10% off" in html and "€62.10" in html
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.total == 6210 and order.discount_total == 690
        assert [(a.plugin, a.amount) for a in order.adjustments] == [("ten", 690)]
        assert order.pricing_trace[0]["applied"] == 690


def test_failing_plugin_blocks_checkout_and_writes_nothing(make_app, shop):
    app = make_app(EXTRA_PLUGINS=[Broken()])
    client = app.test_client()
    shop.app = app
    shop.add(client, "EQP-GRD-01")
    response = client.get("/checkout")
    assert response.status_code == 302
    assert "checkout is paused" in client.get("/cart").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Order)) is None
