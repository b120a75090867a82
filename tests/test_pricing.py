"""The pricing pipeline: plugins propose, the resolver decides; orders keep the result."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from hooks import Adjustment, CartLineView, CartView, CustomerView, hookimpl
from storefront.cart.pricing import PricingError, quote, resolve
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.plugins import build_manager

CART = CartView(
    lines=(CartLineView(1, "A", "Alpha", 1000, 2), CartLineView(2, "B", "Beta", 500, 1)),
    currency="EUR", shipping=490,
)
GUEST = CustomerView(None)


class TenPercentOff:
    @hookimpl
    def shop_cart_adjustments(self, cart, customer):
        return [Adjustment(code="TEN", label="10% off", percent=Decimal(10))]


class Broken:
    @hookimpl
    def shop_cart_adjustments(self, cart, customer):
        raise RuntimeError("boom")


def adjustments_of(*plugins):
    return build_manager(plugins, load_entry_points=False).hook.shop_cart_adjustments


def test_quote_without_plugins_is_subtotal_plus_shipping():
    q = quote(CART, GUEST, adjustments_of())
    assert (q.subtotal, q.shipping, q.discount_total, q.total) == (2500, 490, 0, 2990)


def test_quote_applies_plugin_adjustments():
    q = quote(CART, GUEST, adjustments_of(TenPercentOff()))
    assert q.discount_total == 250 and q.total == 2740
    assert q.adjustments[0].label == "10% off"


def test_a_failing_pricing_plugin_stops_the_quote():
    with pytest.raises(PricingError):
        quote(CART, GUEST, adjustments_of(Broken()))


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
        assert [(a.plugin, a.amount) for a in order.adjustments] == [("tenpercentoff", 690)]
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


def adj(code, phase="order", **kw):
    return Adjustment(plugin=kw.pop("plugin", "p"), code=code, label=code, phase=phase, **kw)


def test_best_of_group_applies_only_the_most_valuable():
    props = [adj("tier", percent=Decimal(5), stacking="best_of", stacking_group="member"),
             adj("card", percent=Decimal(10), stacking="best_of", stacking_group="member"),
             adj("coupon", amount=100)]
    q = resolve(CART, props)
    assert sorted((a.code, a.amount) for a in q.adjustments) == [("card", 250), ("coupon", 100)]
    lost = [t for t in q.trace if t["code"] == "tier"][0]
    assert lost["applied"] == 0 and lost["outcome"] == "lost best-of to p:card"


def test_combinable_in_a_group_both_apply_in_fixed_order():
    props = [adj("tier", percent=Decimal(10), priority=1), adj("card", percent=Decimal(10),
                                                             priority=2)]
    q = resolve(CART, props)
    assert [(a.code, a.amount) for a in q.adjustments] == [("tier", 250), ("card", 225)]


def test_exclusive_shuts_out_its_phase_but_not_others():
    props = [adj("flash", amount=900, stacking="exclusive"), adj("coupon", amount=100),
             adj("points", phase="tender", amount=300)]
    q = resolve(CART, props)
    assert sorted(a.code for a in q.adjustments) == ["flash", "points"]
    assert q.total == 2990 - 900 - 300


def test_store_wide_maximum_discount_limits_line_and_order_phases():
    props = [adj("a", phase="line", percent=Decimal(50)), adj("b", amount=2000),
             adj("ship", phase="shipping", percent=Decimal(100)),
             adj("points", phase="tender", amount=99999)]
    q = resolve(CART, props, max_discount_percent=30)
    merchandise = sum(a.amount for a in q.adjustments if a.phase in ("line", "order"))
    assert merchandise == 750  # 30% of 2500
    assert q.total == 0  # tender pays the rest; never below zero


best_of_or_any = st.sampled_from(["combinable", "best_of", "exclusive"])
rich_adjustments = st.builds(
    lambda plugin, code, phase, amount, percent, use_percent, priority, stacking, group, cap,
    target: Adjustment(
        plugin=plugin, code=code, label="x", phase=phase,
        amount=None if use_percent else amount,
        percent=Decimal(percent) if use_percent else None, priority=priority,
        stacking=stacking, stacking_group=group, cap=cap,
        target_skus=target if phase == "line" else ()),
    plugin=st.sampled_from(["p1", "p2", "p3"]), code=st.sampled_from(["a", "b", "c", "d"]),
    phase=st.sampled_from(["line", "order", "shipping", "tender"]),
    amount=st.integers(0, 5000), percent=st.integers(0, 100), use_percent=st.booleans(),
    priority=st.integers(0, 3), stacking=best_of_or_any, group=st.sampled_from(["g1", "g2"]),
    cap=st.none() | st.integers(0, 3000), target=st.sampled_from([(), ("A",), ("B",)]),
)
carts = st.builds(
    lambda prices, shipping: CartView(
        lines=tuple(CartLineView(i, f"S{i}" if i > 1 else "AB"[i], f"t{i}", p, q)
                    for i, (p, q) in enumerate(prices)), currency="EUR", shipping=shipping),
    st.lists(st.tuples(st.integers(0, 5000), st.integers(1, 5)), min_size=1, max_size=6),
    st.integers(0, 1000),
)


@settings(max_examples=400, deadline=None)
@given(carts, st.lists(rich_adjustments, max_size=10), st.randoms(), st.integers(0, 100))
def test_resolver_invariants(cart, props, rnd, max_pct):
    result = resolve(cart, props, max_pct)
    shuffled = list(props)
    rnd.shuffle(shuffled)
    again = resolve(cart, shuffled, max_pct)
    assert (result.total, result.lines, result.adjustments) == \
        (again.total, again.lines, again.adjustments)
    assert result.total >= 0 and all(line.total >= 0 for line in result.lines)
    merchandise = sum(a.amount for a in result.adjustments if a.phase in ("line", "order"))
    assert merchandise <= cart.subtotal * max_pct // 100
    shipping = sum(a.amount for a in result.adjustments if a.phase == "shipping")
    assert shipping <= cart.shipping
    assert result.total == cart.subtotal + cart.shipping - result.discount_total
    for applied in result.adjustments:
        source = next(p for p in props if (p.plugin, p.code, p.phase.value) ==
                      (applied.plugin, applied.code, applied.phase))
        if source.cap is not None:
            assert applied.amount <= source.cap or any(
                (p.plugin, p.code, p.phase) == (source.plugin, source.code, source.phase)
                and p is not source for p in props)
    for phase in ("line", "order", "shipping", "tender"):
        exclusive = [p for p in props if p.phase == phase and p.stacking == "exclusive"]
        if exclusive:
            assert len([t for t in result.trace if t["phase"] == phase
                        and t["outcome"] in ("applied", "limited")]) == 1
    for group in ("g1", "g2"):
        winners = [t for t in result.trace if t["group"] == group
                   and t["stacking"] == "best_of" and t["outcome"] in ("applied", "limited")]
        assert len(winners) <= 1
    assert len(result.trace) == len(props)


class GoldTier:
    name = "tiers"

    @hookimpl
    def shop_cart_adjustments(self, cart, customer):
        return [Adjustment(code="gold", label="Gold tier 5%", percent=5,
                           stacking="best_of", stacking_group="member")]


class MemberCard:
    name = "cards"

    @hookimpl
    def shop_cart_adjustments(self, cart, customer):
        return [Adjustment(code="card", label="Member card 10%", percent=10,
                           stacking="best_of", stacking_group="member",
                           reason="preferential card")]


def test_order_page_explains_what_applied_and_what_did_not(make_app, shop):
    app = make_app(EXTRA_PLUGINS=[GoldTier(), MemberCard()])
    client = app.test_client()
    shop.app = app
    shop.add(client, "EQP-GRD-01")
    location = shop.checkout(client).headers["Location"]
    html = client.get(location).get_data(as_text=True)
    assert "Member card 10%: −€6.90 (preferential card)" in html
    assert "Gold tier 5%: nothing; not combined with Member card 10%, which saves you more" in html
    shop.create_user("boss@example.com", role="owner")
    owner = app.test_client()
    shop.login(owner, "boss@example.com", "correct horse battery")
    with app.app_context():
        order_id = db.session.scalar(select(Order.id))
    admin = owner.get(f"/admin/orders/{order_id}").get_data(as_text=True)
    assert "lost best-of to cards:card" in admin and "best_of (member)" in admin
