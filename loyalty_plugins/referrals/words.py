"""The referee's reward and dates in the reader's language: "10% off", "12 March 2027"."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from hooks import gettext as _
from hooks import language, money, shop_timezone


def offer(percent: Decimal | None, amount: int | None) -> str:
    if percent is not None:
        return _("%(percent)s%% off", percent=format_decimal(percent.normalize(),
                                                            locale=language()))
    return _("%(amount)s off", amount=money(amount or 0))


def day(moment: datetime) -> str:
    return format_date(local_day(moment), "long", locale=language())


def local_day(moment: datetime) -> date:
    """The shop's date of a naive UTC time."""
    return moment.replace(tzinfo=UTC).astimezone(shop_timezone()).date()
