"""The pricing pipeline: quote(cart, customer) -> Quote. Pure: it reads, it never writes.

Plugins propose adjustments through ``shop_cart_adjustments``; the resolver applies them in
a fixed order (phase, priority, plugin, code) so the result never depends on the order in
which pluggy called the plugins, and no line, fee or total ever goes below zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pluggy

from hooks.types import PHASE_ORDER, Adjustment, CartView, CustomerView, Phase
from storefront.money import percent_of


class PricingError(Exception):
    """A pricing plugin failed: the checkout must stop (fail closed)."""


@dataclass(frozen=True)
class AppliedAdjustment:
    plugin: str
    code: str
    label: str
    phase: str
    amount: int  # the discount actually given, minor units
    reason: str = ""


@dataclass(frozen=True)
class QuoteLine:
    product_id: int
    sku: str
    title: str
    unit_price: int
    quantity: int
    discount: int

    @property
    def gross(self) -> int:
        return self.unit_price * self.quantity

    @property
    def total(self) -> int:
        return self.gross - self.discount


@dataclass(frozen=True)
class Quote:
    currency: str
    lines: tuple[QuoteLine, ...]
    adjustments: tuple[AppliedAdjustment, ...]
    subtotal: int
    shipping: int
    discount_total: int
    total: int
    trace: tuple[dict, ...] = field(default=())


def _sort_key(adj: Adjustment) -> tuple:
    return (PHASE_ORDER.index(adj.phase), adj.priority, adj.plugin, adj.code)


def _discount(adj: Adjustment, base: int) -> int:
    wanted = adj.amount if adj.amount is not None else percent_of(base, adj.percent)
    if adj.cap is not None:
        wanted = min(wanted, adj.cap)
    return min(wanted, base)  # never below zero; a surcharge (negative) passes through


def resolve(cart: CartView, proposals: Iterable[Adjustment]) -> Quote:
    line_discounts = [0] * len(cart.lines)
    shipping_discount = 0
    order_discount = 0
    applied: list[AppliedAdjustment] = []
    trace: list[dict] = []

    def remaining_lines() -> int:
        return sum(line.total - d for line, d in zip(cart.lines, line_discounts, strict=True))

    for adj in sorted(proposals, key=_sort_key):
        if adj.phase is Phase.LINE:
            given = 0
            for i, line in enumerate(cart.lines):
                if adj.target_skus and line.sku not in adj.target_skus:
                    continue
                base = line.total - line_discounts[i]
                if adj.percent is not None:
                    share = percent_of(base, adj.percent)
                else:
                    share = adj.amount - given
                if adj.cap is not None:
                    share = min(share, adj.cap - given)
                share = max(min(share, base), 0)
                line_discounts[i] += share
                given += share
        elif adj.phase is Phase.ORDER:
            given = _discount(adj, remaining_lines() - order_discount)
            order_discount += given
        elif adj.phase is Phase.SHIPPING:
            given = _discount(adj, cart.shipping - shipping_discount)
            shipping_discount += given
        else:
            base = remaining_lines() - order_discount + cart.shipping - shipping_discount
            given = _discount(adj, base - sum(a.amount for a in applied if a.phase == "tender"))
        applied.append(
            AppliedAdjustment(adj.plugin, adj.code, adj.label, adj.phase.value, given, adj.reason)
        )
        trace.append({"plugin": adj.plugin, "code": adj.code, "phase": adj.phase.value,
                      "proposed": adj.amount if adj.amount is not None else f"{adj.percent}%",
                      "applied": given, "reason": adj.reason})

    lines = tuple(
        QuoteLine(ln.product_id, ln.sku, ln.title, ln.unit_price, ln.quantity, d)
        for ln, d in zip(cart.lines, line_discounts, strict=True)
    )
    subtotal = cart.subtotal
    discount_total = sum(a.amount for a in applied)
    total = max(subtotal + cart.shipping - discount_total, 0)
    return Quote(cart.currency, lines, tuple(applied), subtotal, cart.shipping,
                 discount_total, total, tuple(trace))


def quote(cart: CartView, customer: CustomerView, pm: pluggy.PluginManager) -> Quote:
    try:
        results = pm.hook.shop_cart_adjustments(cart=cart, customer=customer)
    except Exception as exc:
        raise PricingError("A pricing plugin failed; the checkout is paused.") from exc
    proposals = [adj for result in results if result for adj in result]
    for adj in proposals:
        if not isinstance(adj, Adjustment):
            raise PricingError(f"A pricing plugin returned {type(adj).__name__}, not Adjustment")
    return resolve(cart, proposals)
