"""Time for the points plugin: naive UTC in the database, the shop's zone for dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from hooks import add_months


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def local_datetime(moment: datetime, tz: ZoneInfo) -> datetime:
    return moment.replace(tzinfo=UTC).astimezone(tz)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    return local_datetime(moment, tz).date()


def start_of_local_day(day: date, tz: ZoneInfo) -> datetime:
    """Midnight at the start of ``day`` in the shop's zone, as naive UTC."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def expiry_for(available_at: datetime, months: int, tz: ZoneInfo) -> datetime | None:
    """Points usable from ``available_at`` expire when the shop's day ``months`` later
    begins: usable all of 23:59:59 on the day before, gone at 00:00."""
    if months <= 0:
        return None
    return start_of_local_day(add_months(local_date(available_at, tz), months), tz)
