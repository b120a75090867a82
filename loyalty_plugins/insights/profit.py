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

from sqlalchemy import Subquery, case, func, select

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


def _orders(period: Period) -> Subquery:
    """Per customer, their orders in the period."""
    history = order_history()
    kept_cost = case((history.c.total > 0, history.c.cost * history.c.net / history.c.total),
                     else_=0)
    return (select(history.c.customer,
                   func.sum(history.c.net).label("revenue"),
                   func.sum(func.coalesce(kept_cost, 0)).label("cost"),
                   func.sum(history.c.discount).label("discount"),
                   func.sum(case((history.c.cost.is_(None), history.c.net), else_=0))
                   .label("uncosted"),
                   func.sum(case((history.c.cost.is_not(None) & (history.c.uncosted_lines > 0),
                                  1), else_=0)).label("partial"))
            .where(history.c.placed_at >= period.start, history.c.placed_at < period.end)
            .group_by(history.c.customer).subquery("orders"))


def _per_address(per_member: Subquery) -> Subquery:
    """A plugin's per-member figures on one address of each member (the first), so a member
    with orders under two addresses counts them once."""
    figures = CustomerFigures
    first = (select(func.min(figures.customer).label("customer"), figures.user_id)
             .where(figures.user_id.is_not(None)).group_by(figures.user_id).subquery())
    return (select(first.c.customer, *(column for column in per_member.c
                                       if column.name != "user_id"))
            .join(per_member, per_member.c.user_id == first.c.user_id).subquery())


def _ask(hook: str, period: Period):
    return call(hook, start=period.start, end=period.end) if provided(hook) else None


def point_value(period: Period) -> int:
    figures = _ask("points_figures", period)
    return int(figures["point_value"]) if figures else 0


def margins(period: Period) -> dict[str, Margin]:
    """Every segment's figures over the period, by segment code."""
    figures = CustomerFigures
    orders = _orders(period)
    value = point_value(period)
    columns = [func.count(), func.sum(orders.c.revenue), func.sum(orders.c.cost),
               func.sum(orders.c.discount), func.sum(orders.c.uncosted),
               func.sum(orders.c.partial)]
    query = select(figures.segment).select_from(figures).outerjoin(
        orders, orders.c.customer == figures.customer)
    points = _ask("points_issued", period) if value else None
    if points is not None:
        given = _per_address(points)
        query = query.outerjoin(given, given.c.customer == figures.customer)
        columns += [func.sum(given.c.points), func.sum(given.c.redeemed)]
    events = _ask("events_costs", period)
    if events is not None:
        seats = _per_address(events)
        query = query.outerjoin(seats, seats.c.customer == figures.customer)
        columns.append(func.sum(seats.c.cost))
    found = {}
    for row in session().execute(query.add_columns(*columns).group_by(figures.segment)):
        segment, count, revenue, cost, discount, uncosted, partial, *rest = (
            row[0], *(int(v or 0) for v in row[1:]))
        issued, redeemed = (rest[0], rest[1]) if points is not None else (0, 0)
        seat_cost = rest[-1] if events is not None else 0
        found[segment] = Margin(
            customers=count, revenue=revenue, cost=cost,
            discounts=max(discount - redeemed * value, 0), points=issued * value,
            events=seat_cost, uncosted_revenue=uncosted, partial_orders=partial,
            redeemed=redeemed * value)
    return found
