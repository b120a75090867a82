"""Gifts and birthdays in the reader's language: "10% off", "March 14", "March 14, 1990"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from hooks import gettext as _
from hooks import language, money
from loyalty_plugins.birthdays.dates import Birthdate


def offer(percent: Decimal | None, amount: int | None) -> str:
    if percent is not None:
        return _("%(percent)s%% off", percent=format_decimal(percent.normalize(),
                                                            locale=language()))
    return _("%(amount)s off", amount=money(amount or 0))


def birthdate(value: Birthdate | None) -> str:
    """The birthday as the reader's language writes it; "none" for no birthday."""
    if value is None:
        return _("none")
    if value.year is None:  # in a leap year, so that 29 February can be written
        return format_skeleton("MMMMd", date(2000, value.month, value.day), locale=language())
    return format_date(date(value.year, value.month, value.day), "long", locale=language())
