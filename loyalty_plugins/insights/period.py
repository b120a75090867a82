"""The period the owner looks at, and what members and other customers did in it.

A period is chosen as two days in the shop's time zone, both included; the figures use it as
``[start, end)`` in naive UTC, from the first day's midnight to the midnight after the last.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import request
from sqlalchemy import func, select

from hooks import gettext as _
from hooks import order_history, session, shop_timezone, today

DEFAULT_DAYS = 365
UTC = ZoneInfo("UTC")


@dataclass(frozen=True)
class Period:
    first: date  # days in the shop's time zone, both included
    last: date

    @property
    def start(self) -> datetime:
        return _utc(self.first)

    @property
    def end(self) -> datetime:
        return _utc(self.last + timedelta(days=1))

    @classmethod
    def default(cls) -> Period:
        """The last 365 days, today included."""
        last = today()
        return cls(last - timedelta(days=DEFAULT_DAYS - 1), last)


def _utc(day: date) -> datetime:
    local = datetime.combine(day, time(0), tzinfo=shop_timezone())
    return local.astimezone(UTC).replace(tzinfo=None)


class PeriodError(ValueError):
    pass


def parse_period(first: str | None, last: str | None) -> Period:
    """The period of a form's ``from`` and ``to`` (YYYY-MM-DD); the default for both empty."""
    default = Period.default()
    if not first and not last:
        return default
    try:
        chosen = Period(date.fromisoformat(first) if first else default.first,
                        date.fromisoformat(last) if last else default.last)
    except ValueError:
        raise PeriodError(_("Give the days as year-month-day, for example 2026-01-31.")) from None
    if chosen.first > chosen.last:
        raise PeriodError(_("The first day of the period must not be after its last day."))
    return chosen


def requested_period() -> tuple[Period, bool, str]:
    """The period asked for, whether the owner chose one, and what was wrong with it."""
    first, last = request.args.get("from", ""), request.args.get("to", "")
    try:
        return parse_period(first, last), bool(first or last), ""
    except PeriodError as error:
        return Period.default(), False, str(error)


@dataclass(frozen=True)
class Group:
    """Customers of one kind who bought in the period."""

    customers: int = 0
    orders: int = 0
    net: int = 0  # minor units

    @property
    def spend_per_customer(self) -> int:
        return round(self.net / self.customers) if self.customers else 0

    @property
    def orders_per_customer(self) -> float:
        return self.orders / self.customers if self.customers else 0.0

    @property
    def order_value(self) -> int:
        return round(self.net / self.orders) if self.orders else 0


def members_and_others(period: Period) -> tuple[Group, Group]:
    """(members, other customers) who bought in the period: a member is a customer with an
    account, known by any of their orders (history imported for their address included)."""
    history = order_history()
    per_customer = (select(func.max(history.c.user_id).label("member"),
                           func.count().label("orders"), func.sum(history.c.net).label("net"))
                    .where(history.c.placed_at >= period.start, history.c.placed_at < period.end)
                    .group_by(history.c.customer).subquery())
    is_member = per_customer.c.member.is_not(None)
    found = {bool(row[0]): Group(int(row[1]), int(row[2]), int(row[3] or 0))
             for row in session().execute(
                 select(is_member, func.count(), func.sum(per_customer.c.orders),
                        func.sum(per_customer.c.net)).group_by(is_member))}
    return found.get(True, Group()), found.get(False, Group())
