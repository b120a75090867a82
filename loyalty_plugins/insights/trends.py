"""Figures per month over a range of months the owner picks, computed in the database from
``hooks.order_history``: customers who bought, orders, net revenue, new and returning
customers, and the repurchase share.

Months are the shop's (``SHOP_TIMEZONE``): each month's first instant there is turned into
naive UTC here, and the database puts each order in its month by comparing its time with
those bounds (nested ``CASE``s), then groups by month. The SQL is the same on SQLite and
PostgreSQL, and a month that changes its clock (summer time) is still exactly that month.

A customer is *new* in the month of their first order ever (imported history included) and
*returning* in any later month they buy in; the repurchase share is the returning
customers' share of the month's customers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, literal, select

from hooks import add_months, order_history, session, shop_timezone
from hooks import gettext as _

MAX_MONTHS = 120
DEFAULT_MONTHS = 24
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class RangeError(ValueError):
    """A range of months the page cannot show; the message says why, to the owner."""


@dataclass(frozen=True)
class MonthFigures:
    month: date  # its first day
    customers: int  # who bought in it
    orders: int
    revenue: int  # net, minor units
    new: int  # customers whose first order ever is in it

    @property
    def returning(self) -> int:
        return self.customers - self.new

    @property
    def repurchase_share(self) -> float:
        """The share of the month's customers who had bought before it."""
        return self.returning / self.customers if self.customers else 0.0


def parse_month(text: str) -> date:
    """"2024-03" as the first day of that month."""
    found = _MONTH.fullmatch(text.strip())
    if not found or not 1 <= int(found[2]) <= 12 or not 1900 <= int(found[1]) <= 9998:
        raise RangeError(_("Enter each month as its year and month, like 2024-03."))
    return date(int(found[1]), int(found[2]), 1)


def month_range(first: str | None, last: str | None, today: date) -> tuple[date, date]:
    """The first and last month the owner asked for; the last ``DEFAULT_MONTHS`` up to
    ``today``'s month for what they left empty."""
    end = parse_month(last) if last else today.replace(day=1)
    start = parse_month(first) if first else add_months(end, 1 - DEFAULT_MONTHS)
    if start > end:
        raise RangeError(_("The first month comes after the last one: swap them."))
    if months_between(start, end) > MAX_MONTHS:
        raise RangeError(_("Choose at most %(months)s months.", months=MAX_MONTHS))
    return start, end


def months_between(start: date, end: date) -> int:
    """How many months from ``start`` to ``end``, both in."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _utc_bounds(start: date, months: int, zone: ZoneInfo) -> list[datetime]:
    """The first instant of each month and of the month after the last, as naive UTC."""
    return [datetime.combine(add_months(start, n), datetime.min.time(), zone)
            .astimezone(ZoneInfo("UTC")).replace(tzinfo=None) for n in range(months + 1)]


def _month_of(column: ColumnElement, bounds: list[datetime], low: int = 0,
              high: int | None = None) -> ColumnElement:
    """The index of the month ``column`` falls in (for times within the bounds), found by
    halving: about 7 comparisons a row for 120 months, not 60."""
    high = len(bounds) - 1 if high is None else high
    if high - low == 1:
        return literal(low)
    middle = (low + high) // 2
    return case((column < bounds[middle], _month_of(column, bounds, low, middle)),
                else_=_month_of(column, bounds, middle, high))


def monthly(start: date, end: date) -> list[MonthFigures]:
    """Every month from ``start`` to ``end`` (first days; both in), also those without
    orders."""
    months = months_between(start, end)
    bounds = _utc_bounds(start, months, shop_timezone())
    history = order_history()
    month = _month_of(history.c.placed_at, bounds).label("month")
    in_range = (history.c.placed_at >= bounds[0], history.c.placed_at < bounds[-1])
    sold = {row.month: row for row in session().execute(
        select(month, func.count(func.distinct(history.c.customer)).label("customers"),
               func.count().label("orders"), func.sum(history.c.net).label("revenue"))
        .where(*in_range).group_by(month))}
    firsts = (select(func.min(history.c.placed_at).label("first"))
              .group_by(history.c.customer).subquery("firsts"))
    first_month = _month_of(firsts.c.first, bounds).label("month")
    new = dict(session().execute(
        select(first_month, func.count())
        .where(firsts.c.first >= bounds[0], firsts.c.first < bounds[-1])
        .group_by(first_month)).all())
    figures = []
    for index in range(months):
        row = sold.get(index)
        figures.append(MonthFigures(
            add_months(start, index), row.customers if row else 0, row.orders if row else 0,
            int(row.revenue or 0) if row else 0, int(new.get(index, 0))))
    return figures
