"""Relationship figures: repurchase rate and the time customers take to buy again (mean and
median) over a period, computed in the database; churn against each customer's own rhythm,
from the per-customer rows of rfm.py.

Customers are known by e-mail address and orders are those of ``hooks.order_history``
(paid, or imported as history). A period is ``[start, end)`` in naive UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Float, case, cast, func, select

from hooks import order_history, session
from loyalty_plugins.insights.rfm import Scored, customer_rfm

DAY_SECONDS = 86400.0


@dataclass(frozen=True)
class Repurchase:
    customers: int  # who bought in the period
    repeat_customers: int  # of whom bought at least twice in it
    loyal_customers: int  # of whom bought at least ``loyal_min_orders`` times in it
    gaps: int  # purchases in the period that followed an earlier one of the same customer
    mean_days: float | None  # between such a purchase and the one before it
    median_days: float | None

    @property
    def rate(self) -> float:
        """The share of the period's customers who bought at least twice in it."""
        return self.repeat_customers / self.customers if self.customers else 0.0

    @property
    def loyal_share(self) -> float:
        return self.loyal_customers / self.customers if self.customers else 0.0


@dataclass(frozen=True)
class Churn:
    customers: int  # with at least two purchases
    churned: int  # of whom are overdue: silent for more than ``factor`` times their mean gap

    @property
    def rate(self) -> float:
        return self.churned / self.customers if self.customers else 0.0


def days_between(later: ColumnElement, earlier: ColumnElement) -> ColumnElement:
    """Days between two timestamps, as the session's database counts them."""
    if session().get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / DAY_SECONDS
    return cast(func.julianday(later) - func.julianday(earlier), Float)


def _with_previous():
    """Each order with the customer's previous one (``previous``: None for their first)."""
    history = order_history()
    previous = func.lag(history.c.placed_at).over(partition_by=history.c.customer,
                                                  order_by=(history.c.placed_at,
                                                            history.c.order_id))
    return select(history.c.customer, history.c.placed_at,
                  previous.label("previous")).subquery("with_previous")


def repurchase(start: datetime, end: datetime, loyal_min_orders: int = 3) -> Repurchase:
    history = order_history()
    per_customer = (select(func.count().label("orders")).select_from(history)
                    .where(history.c.placed_at >= start, history.c.placed_at < end)
                    .group_by(history.c.customer).subquery())
    customers, repeat, loyal = session().execute(select(
        func.count(), *(func.coalesce(func.sum(case((per_customer.c.orders >= least, 1),
                                                    else_=0)), 0)
                        for least in (2, loyal_min_orders))
    ).select_from(per_customer)).one()
    ordered = _with_previous()
    gap = days_between(ordered.c.placed_at, ordered.c.previous).label("gap")
    gaps = (select(gap).where(ordered.c.previous.is_not(None), ordered.c.placed_at >= start,
                              ordered.c.placed_at < end).subquery())
    if session().get_bind().dialect.name == "postgresql":  # the median in the same pass
        count, mean, median = session().execute(select(
            func.count(), func.avg(gaps.c.gap),
            func.percentile_cont(0.5).within_group(gaps.c.gap))).one()
        median = float(median) if median is not None else None
    else:
        count, mean = session().execute(select(func.count(), func.avg(gaps.c.gap))).one()
        median = median_of(gaps.c.gap, count)
    return Repurchase(int(customers), int(repeat), int(loyal), int(count),
                      float(mean) if mean is not None else None, median)


def median_of(column: ColumnElement, count: int) -> float | None:
    """The median of a column of ``count`` values: the middle one, or the mean of the two
    middle ones (one ordered read of at most two rows; SQLite has no percentile_cont)."""
    if not count:
        return None
    middle = session().scalars(select(column).order_by(column).offset((count - 1) // 2)
                               .limit(2 - count % 2)).all()
    return float(sum(middle) / len(middle))


def churn_of(customers: Scored, factor: float = 2.0) -> Churn:
    """Of the customers with two or more purchases, those whose silence since the last one is
    longer than ``factor`` times their own mean time between purchases
    (``(last - first) / (orders - 1)``)."""
    repeat = customers.orders > 1
    since, orders = customers.days_since[repeat], customers.orders[repeat]
    overdue = since > factor * (customers.days_known[repeat] - since) / (orders - 1)
    return Churn(int(repeat.sum()), int(overdue.sum()))


def churn(as_of: datetime, factor: float = 2.0) -> Churn:
    """``churn_of`` every customer with a purchase before ``as_of``."""
    return churn_of(customer_rfm(as_of), factor)
