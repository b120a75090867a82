"""The Pareto curve: the share of net revenue that the best customers bring, against their
share of all customers, read from the kept figures (``insights_customer``).

Customers are ranked by net spend, best first (ties by address). The database adds up the
running revenue along that ranking (a window sum) and returns only the points asked for: the
best 5 %, 10 %, ... 100 % of customers, where the best ``p`` of ``n`` customers are the first
``round(p x n)`` (at least one). The 20 % point is the Pareto share of the overview page.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from hooks import session
from loyalty_plugins.insights.models import CustomerFigures

STEPS = 20  # points at every 5 % of customers
TOP_STEP = 4  # the best 20 %


@dataclass(frozen=True)
class Point:
    customers: int  # the best this many customers
    revenue: int  # their net revenue, minor units


@dataclass(frozen=True)
class Curve:
    customers: int  # all kept customers
    revenue: int  # their net revenue, minor units
    points: tuple[Point, ...]  # best 5 %, 10 % ... all; one per count; empty without revenue
    top_customers: int = 0  # how many make the best 20 %

    def customer_share(self, point: Point) -> float:
        return point.customers / self.customers if self.customers else 0.0

    def revenue_share(self, point: Point) -> float:
        return point.revenue / self.revenue if self.revenue > 0 else 0.0

    @property
    def top(self) -> Point | None:
        """The best 20 % of customers."""
        return next((p for p in self.points if p.customers == self.top_customers), None)


def _rank_at(step: int, customers: int) -> int:
    """How many customers make the best ``step / STEPS`` of them: rounded half up, at least
    one."""
    return max(1, (customers * step + STEPS // 2) // STEPS)


def curve() -> Curve:
    """The Pareto curve of the last refresh, in two reads: the totals, then the points (a
    small base has fewer than 20: 5 customers give one point each)."""
    figures = CustomerFigures.__table__.c
    customers, revenue = session().execute(
        select(func.count(), func.coalesce(func.sum(figures.net), 0))).one()
    if not customers or revenue <= 0:
        return Curve(int(customers), int(revenue), ())
    ranks = sorted({_rank_at(step, customers) for step in range(1, STEPS + 1)})
    best_first = (figures.net.desc(), figures.customer)
    ranked = select(func.row_number().over(order_by=best_first).label("rank"),
                    func.sum(figures.net).over(order_by=best_first, rows=(None, 0))
                    .label("running")).subquery("ranked")
    running = dict(session().execute(select(ranked.c.rank, ranked.c.running)
                                     .where(ranked.c.rank.in_(ranks))).all())
    return Curve(int(customers), int(revenue),
                 tuple(Point(rank, int(running[rank])) for rank in ranks),
                 _rank_at(TOP_STEP, customers))
