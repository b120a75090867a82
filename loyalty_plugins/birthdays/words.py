"""Gifts and birthdays in the reader's language: "10% off", "March 14", "March 14, 1990"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from hooks import N_, call, language, money, provided
from hooks import gettext as _
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


REWARD_STATUSES = {"available": N_("not used yet"), "reserved": N_("held by an unpaid order"),
                   "used": N_("used"), "expired": N_("expired"), "revoked": N_("taken back")}


def reward_status(greeting) -> str:
    """What became of a greeting's reward, from the rewards plugin ("" while it is off)."""
    if not greeting.reward_key or not provided("rewards_status"):
        return ""
    found = call("rewards_status", key=greeting.reward_key)
    return _(REWARD_STATUSES[found]) if found in REWARD_STATUSES else ""
