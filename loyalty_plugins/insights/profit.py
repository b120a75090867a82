"""Profitability per segment over a period, net of what the loyalty programme cost, computed
in one query in the database.

Per segment of the kept figures (``insights_customer``), over the orders of
``hooks.order_history`` placed in the period (joined on the customer's e-mail address):

- net revenue ``N``: paid minus refunded;
- cost of goods ``C``: each order's ``cost`` in proportion to what was kept (``cost * net /
  total``, rounded down per order); an order without a cost counts 0, so its margin is its
  revenue, and its net is counted as revenue without a cost;
- points redeemed ``R``: the points spent on the orders, at the point value (part of the
  orders' discounts, but counted as a cost when the points were issued, not again here);
- discounts given ``D``: what discounts took off the orders, less ``R``;
- gross margin ``G = N + D + R - C``: what the goods would have earned at full price, before
  the programme's cost;
- points issued ``P``: the points the points plugin gave the segment's members in the period
  (``points_issued``) times ``points_figures``' point value;
- event costs ``E``: the events plugin's cost per seat of their confirmed registrations to
  the period's events (``events_costs``);
- net margin ``G - D - P - E`` (= ``N + R - C - P - E``).

A member's points and seats count once, on the address of theirs that comes first; a plugin
that is off (or fails) counts 0 for its part.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Subquery, case, func, literal, select, union_all

from hooks import call, order_history, provided, session
from loyalty_plugins.insights.models import CustomerFigures
from loyalty_plugins.insights.period import Period


@dataclass(frozen=True)
class Margin:
    """One segment's figures, minor units."""

    customers: int = 0
    revenue: int = 0  # net: paid minus refunded
    cost: int = 0  # of goods
    discounts: int = 0  # other than points
    points: int = 0  # issued, at the point value
    events: int = 0
    uncosted_revenue: int = 0  # of orders without a cost
    partial_orders: int = 0  # orders with some lines without a cost
    redeemed: int = 0  # points spent, at the point value (in the discounts of the orders)

    @property
    def gross(self) -> int:
        return self.revenue + self.discounts + self.redeemed - self.cost

    @property
    def net(self) -> int:
        return self.gross - self.discounts - self.points - self.events

    @property
    def per_customer(self) -> int:
        return round(self.net / self.customers) if self.customers else 0

    @property
    def uncosted_share(self) -> float:
        return self.uncosted_revenue / self.revenue if self.revenue else 0.0

    def __add__(self, other: Margin) -> Margin:
        return Margin(*(a + b for a, b in zip(self._values(), other._values(), strict=True)))

    def _values(self) -> tuple[int, ...]:
        return (self.customers, self.revenue, self.cost, self.discounts, self.points,
                self.events, self.uncosted_revenue, self.partial_orders, self.redeemed)


FIELDS = ("customers", "revenue", "cost", "discount", "uncosted", "partial", "points",
          "redeemed", "events")


def _part(segment, select_from, joined_on, where=(), **sums):
    """Per segment, some of FIELDS summed from one source (0 for the others): each source is
    read once and looks its customers' segment up by the snapshot's primary key."""
    figures = CustomerFigures
    return (select(segment, *(sums.get(name, literal(0)).label(name) for name in FIELDS))
            .select_from(select_from).join(figures, joined_on).where(*where)
            .group_by(segment))


def _orders(period: Period):
    history = order_history()
    kept_cost = case((history.c.total > 0, history.c.cost * history.c.net / history.c.total),
                     else_=0)
    return _part(
        CustomerFigures.segment, history, CustomerFigures.customer == history.c.customer,
        (history.c.placed_at >= period.start, history.c.placed_at < period.end),
        revenue=func.sum(history.c.net), cost=func.sum(func.coalesce(kept_cost, 0)),
        discount=func.sum(history.c.discount),
        uncosted=func.sum(case((history.c.cost.is_(None), history.c.net), else_=0)),
        partial=func.sum(case((history.c.cost.is_not(None) & (history.c.uncosted_lines > 0), 1),
                              else_=0)))


def _per_member(per_member: Subquery, **sums):
    """A plugin's per-member figures, on one address of each member (the first), so a member
    with orders under two addresses counts once."""
    figures = CustomerFigures
    first = (select(func.min(figures.customer).label("customer"), figures.user_id)
             .where(figures.user_id.is_not(None)).group_by(figures.user_id).subquery())
    joined = per_member.join(first, first.c.user_id == per_member.c.user_id)
    return _part(CustomerFigures.segment, joined, CustomerFigures.customer == first.c.customer,
                 **{name: func.sum(per_member.c[column]) for name, column in sums.items()})


def _ask(hook: str, period: Period):
    return call(hook, start=period.start, end=period.end) if provided(hook) else None


def point_value(period: Period) -> int:
    figures = _ask("points_figures", period)
    return int(figures["point_value"]) if figures else 0


def margins(period: Period) -> dict[str, Margin]:
    """Every segment's figures over the period, by segment code."""
    figures = CustomerFigures
    value = point_value(period)
    parts = [select(figures.segment, *(
        (func.count() if name == "customers" else literal(0)).label(name) for name in FIELDS))
        .group_by(figures.segment), _orders(period)]
    points = _ask("points_issued", period) if value else None
    if points is not None:
        parts.append(_per_member(points, points="points", redeemed="redeemed"))
    events = _ask("events_costs", period)
    if events is not None:
        parts.append(_per_member(events, events="cost"))
    every = union_all(*parts).subquery()
    found = {}
    for row in session().execute(select(every.c.segment, *(func.sum(every.c[name])
                                                             for name in FIELDS))
                                 .group_by(every.c.segment)):
        got = dict(zip(FIELDS, (int(v or 0) for v in row[1:]), strict=True))
        found[row[0]] = Margin(
            customers=got["customers"], revenue=got["revenue"], cost=got["cost"],
            discounts=max(got["discount"] - got["redeemed"] * value, 0),
            points=got["points"] * value, events=got["events"],
            uncosted_revenue=got["uncosted"], partial_orders=got["partial"],
            redeemed=got["redeemed"] * value)
    return found
