"""The calendar of greetings: which day a birthday or a membership anniversary falls on in a
given year, and which birthdays a member may give.

29 February: in a year without it, the member is greeted on 28 February (the last day of
their month, the day before 1 March they were not born on)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from hooks import gettext as _


@dataclass(frozen=True)
class Birthdate:
    day: int
    month: int
    year: int | None = None

    def stored(self) -> str:
        """As the audit keeps it: ``1990-02-29``, or ``--02-29`` without a year (ISO 8601)."""
        return (f"{self.year:04d}" if self.year else "-") + f"-{self.month:02d}-{self.day:02d}"


def parse_stored(text: str) -> Birthdate | None:
    if not text:
        return None
    year, month, day = text.rsplit("-", 2)
    return Birthdate(int(day), int(month), int(year) if year.strip("-") else None)


def occasion(month: int, day: int, year: int) -> date:
    """The day in ``year`` that greets a date of ``month`` and ``day``: itself, or 28
    February for 29 February in a year that has no 29 February."""
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, month, day)


def problem(day: int | None, month: int | None, year: int | None, today: date) -> str | None:
    """What is wrong with a birthday a member gives, in their language; None when it is one."""
    if day is None or month is None:
        return _("Give both the day and the month of your birthday.")
    if not 1 <= month <= 12:
        return _("The month must be between 1 and 12.")
    if not 1 <= day <= (29 if month == 2 else calendar.monthrange(2000, month)[1]):
        return _("%(month)s has no day %(day)s.", month=month_name(month), day=day)
    if year is None:
        return None
    if not today.year - 120 <= year <= today.year:
        return _("The year must be between %(first)s and %(last)s, or left empty.",
                 first=today.year - 120, last=today.year)
    if (month, day) == (2, 29) and not calendar.isleap(year):
        return _("%(year)s was not a leap year: it had no 29 February.", year=year)
    if date(year, month, day) > today:
        return _("That date has not come yet.")
    return None


def month_name(month: int) -> str:
    from babel.dates import get_month_names

    from hooks import language

    return get_month_names("wide", context="stand-alone", locale=language())[month]
