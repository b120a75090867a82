"""The pricing pipeline: quote(cart, customer) -> Quote. Pure: it reads, it never writes.

Plugins propose adjustments through ``shop_cart_adjustments``; the resolver decides which
apply and how much, phase by phase (line, order, shipping, tender). Inside a phase it works
in a fixed order (priority, plugin, code), so the result never depends on the order in which
pluggy called the plugins. Stacking rules:

- an EXCLUSIVE adjustment shuts out the rest of its phase (the most valuable one wins);
- BEST_OF adjustments of one stacking group compete (across phases, valued where the
  group's first member comes); the most valuable one applies;
- COMBINABLE adjustments all apply.

Ties go to the adjustment that comes first in the fixed order. Line and order discounts
together never exceed the store-wide maximum (a percentage of the merchandise subtotal), and
no line, fee or total ever goes below zero. Every proposal leaves a line in the trace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import chain

from flask_babel import gettext as _

from hooks.types import PHASE_ORDER, Adjustment, CartView, CustomerView, Phase, Stacking
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


def sort_key(adj: Adjustment) -> tuple:
    """A total order over adjustments: equal keys mean equal adjustments."""
    return (PHASE_ORDER.index(adj.phase), adj.priority, adj.plugin, adj.code, adj.label,
            adj.stacking.value, adj.stacking_group,
            -1 if adj.amount is None else adj.amount, str(adj.percent),
            -1 if adj.cap is None else adj.cap, adj.target_skus, adj.reason)


@dataclass
class _Ledger:
    """What has been taken off so far, and what is left to take."""

    cart: CartView
    budget: int  # store-wide maximum for line + order discounts, still available
    line_discounts: list[int] = field(default_factory=list)
    order_discount: int = 0
    shipping_discount: int = 0
    tender: int = 0

    def __post_init__(self) -> None:
        self.line_discounts = [0] * len(self.cart.lines)

    def merchandise_left(self) -> int:
        lines = sum(ln.total - d for ln, d in zip(self.cart.lines, self.line_discounts,
                                                   strict=True))
        return lines - self.order_discount

    def due(self) -> int:
        return self.merchandise_left() + self.cart.shipping - self.shipping_discount - self.tender

    def evaluate(self, adj: Adjustment) -> tuple[int, list[int]]:
        """How much ``adj`` would take off now (and per line), without applying it."""
        if adj.phase is Phase.LINE:
            shares, given = [], 0
            for line, taken in zip(self.cart.lines, self.line_discounts, strict=True):
                share = 0
                if not adj.target_skus or line.sku in adj.target_skus:
                    base = line.total - taken
                    share = (percent_of(base, adj.percent) if adj.percent is not None
                             else adj.amount - given)
                    limit = min(base, self.budget - given)
                    if adj.cap is not None:
                        limit = min(limit, adj.cap - given)
                    share = max(min(share, limit), 0)
                shares.append(share)
                given += share
            return given, shares
        base = {Phase.ORDER: self.merchandise_left(),
                Phase.SHIPPING: self.cart.shipping - self.shipping_discount,
                Phase.TENDER: self.due()}[adj.phase]
        wanted = adj.amount if adj.amount is not None else percent_of(base, adj.percent)
        if adj.cap is not None:
            wanted = min(wanted, adj.cap)
        if adj.phase is Phase.ORDER:
            base = min(base, self.budget)
        return max(min(wanted, base), 0), []

    def apply(self, adj: Adjustment, given: int, shares: list[int]) -> None:
        if adj.phase is Phase.LINE:
            self.line_discounts = [d + s for d, s in zip(self.line_discounts, shares,
                                                         strict=True)]
            self.budget -= given
        elif adj.phase is Phase.ORDER:
            self.order_discount += given
            self.budget -= given
        elif adj.phase is Phase.SHIPPING:
            self.shipping_discount += given
        else:
            self.tender += given


def _proposed(adj: Adjustment) -> str | int:
    return adj.amount if adj.amount is not None else f"{adj.percent}%"


def _best(ledger: _Ledger, candidates: list[Adjustment]) -> Adjustment:
    # max() keeps the first of equal values: the earliest in the fixed order wins ties.
    return max(candidates, key=lambda a: ledger.evaluate(a)[0])


def resolve(cart: CartView, proposals: Iterable[Adjustment],
            max_discount_percent: int = 100) -> Quote:
    ordered = sorted(proposals, key=sort_key)
    ledger = _Ledger(cart, budget=cart.subtotal * max_discount_percent // 100)
    applied: list[AppliedAdjustment] = []
    trace: list[dict] = []

    def record(adj: Adjustment, amount: int, outcome: str) -> None:
        trace.append({"plugin": adj.plugin, "code": adj.code, "label": adj.label,
                      "phase": adj.phase.value, "stacking": adj.stacking.value,
                      "group": adj.stacking_group, "proposed": _proposed(adj),
                      "applied": amount, "outcome": outcome, "reason": adj.reason})

    def take(adj: Adjustment) -> None:
        given, shares = ledger.evaluate(adj)
        wanted = adj.amount if adj.amount is not None else None
        ledger.apply(adj, given, shares)
        outcome = "applied" if wanted is None or given == wanted else "limited"
        record(adj, given, outcome)
        if given:
            applied.append(AppliedAdjustment(adj.plugin, adj.code, adj.label,
                                             adj.phase.value, given, adj.reason))

    excluded: set[int] = set()
    lost: set[int] = set()  # best-of losers, recorded when their group was decided
    group_winners: dict[str, Adjustment] = {}
    for phase in PHASE_ORDER:
        items = [a for a in ordered if a.phase is phase]
        exclusive = [a for a in items if a.stacking is Stacking.EXCLUSIVE]
        if exclusive:
            winner = _best(ledger, exclusive)
            for adj in items:
                if adj is not winner and id(adj) not in lost:
                    excluded.add(id(adj))
                    record(adj, 0, f"excluded by {winner.plugin}:{winner.code}")
            items = [winner]
        for adj in items:
            if adj.stacking is not Stacking.BEST_OF:
                take(adj)
                continue
            group = adj.stacking_group
            if group not in group_winners:
                # The group is decided where its first member comes, across phases: a line
                # discount and an order discount of one group compete, valued at that point.
                rivals = [a for a in ordered if a.stacking is Stacking.BEST_OF
                          and a.stacking_group == group and id(a) not in excluded]
                winner = group_winners[group] = _best(ledger, rivals)
                for loser in rivals:
                    if loser is not winner:
                        lost.add(id(loser))
                        record(loser, 0, f"lost best-of to {winner.plugin}:{winner.code}")
            if group_winners[group] is adj:
                take(adj)

    lines = tuple(
        QuoteLine(ln.product_id, ln.sku, ln.title, ln.unit_price, ln.quantity, d)
        for ln, d in zip(cart.lines, ledger.line_discounts, strict=True)
    )
    discount_total = sum(a.amount for a in applied)
    return Quote(cart.currency, lines, tuple(applied), cart.subtotal, cart.shipping,
                 discount_total, ledger.due(), tuple(trace))


def quote(cart: CartView, customer: CustomerView, adjustments_hook: Callable[..., list],
          max_discount_percent: int = 100) -> Quote:
    """Price ``cart``. ``adjustments_hook`` calls ``shop_cart_adjustments``: the enabled
    plugins' (``plugins.caller("shop_cart_adjustments")``) in the shop, or a plugin
    manager's ``pm.hook.shop_cart_adjustments`` in isolation."""
    try:
        results = adjustments_hook(cart=cart, customer=customer)
    except Exception as exc:
        raise PricingError(_("A pricing plugin failed; the checkout is paused.")) from exc
    proposals = list(chain.from_iterable(results))  # the relay leaves out None answers
    for adj in proposals:
        if not isinstance(adj, Adjustment):
            raise PricingError(_("A pricing plugin returned %(type)s, not Adjustment",
                                 type=type(adj).__name__))
    return resolve(cart, proposals, max_discount_percent)
