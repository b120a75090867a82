"""A reward in the reader's language: its label ("Birthday gift 2027"), what it takes off
("10% off", "€5.00 off") and its last day."""

from __future__ import annotations

from datetime import UTC, date, datetime

from babel.dates import format_date
from babel.numbers import format_decimal

from hooks import gettext as _
from hooks import language, money, shop_timezone
from loyalty_plugins.rewards.models import Reward


def label(reward: Reward) -> str:
    """The giving plugin's text, translated by its catalog, its placeholders filled in."""
    return _(reward.label, **(reward.label_args or {}))


def offer(reward: Reward) -> str:
    if reward.percent is not None:
        return _("%(percent)s%% off", percent=format_decimal(reward.percent.normalize(),
                                                            locale=language()))
    return _("%(amount)s off", amount=money(reward.amount or 0))


def last_day(reward: Reward) -> str:
    return format_date(local_day(reward.until), "long", locale=language())


def local_day(moment: datetime) -> date:
    """The shop's date of a naive UTC time."""
    return moment.replace(tzinfo=UTC).astimezone(shop_timezone()).date()
