"""The owner's settings: the referee's reward, the referrer's points, the return window and
the monthly limit."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hooks import FieldType, SettingField, lazy_gettext, plugin_settings

NAME = "referrals"  # read by name: the reactions and the job run in the worker
REWARDS = ("percent", "amount")

SCHEMA = [
    SettingField("referee_reward", FieldType.CHOICE, default="percent", choices=REWARDS,
                 label=lazy_gettext("The friend's reward on their first order"),
                 choice_labels={"percent": lazy_gettext("a percentage off"),
                                "amount": lazy_gettext("an amount off")},
                 help=lazy_gettext("Given when the friend's code is accepted, through the "
                                   "rewards plugin (without it, no reward).")),
    SettingField("referee_percent", FieldType.DECIMAL, default=Decimal(10),
                 min=Decimal("0.01"), max=Decimal(100),
                 label=lazy_gettext("Percentage off the friend's first order")),
    SettingField("referee_amount", FieldType.MONEY, default=500, min=1,
                 label=lazy_gettext("Amount off the friend's first order")),
    SettingField("referee_days", FieldType.INTEGER, default=30, min=1, max=3650,
                 label=lazy_gettext("Days the friend's reward is valid")),
    SettingField("referrer_points", FieldType.INTEGER, default=500, min=1, max=1_000_000,
                 label=lazy_gettext("Points for the member who referred"),
                 help=lazy_gettext("Given once the friend's first paid order is older than "
                                   "the return window and was not refunded.")),
    SettingField("return_days", FieldType.INTEGER, default=30, min=0, max=365,
                 label=lazy_gettext("Return window (days)")),
    SettingField("monthly_limit", FieldType.INTEGER, default=5, min=1, max=1000,
                 label=lazy_gettext("Rewarded referrals per member per month"),
                 help=lazy_gettext("Checked when a code is entered and again when the reward "
                                   "is given; months of the shop's time zone.")),
]


@dataclass(frozen=True)
class Settings:
    percent: Decimal | None
    amount: int | None
    reward_days: int
    points: int
    return_days: int
    monthly_limit: int


def current() -> Settings:
    values = plugin_settings(NAME)
    by_percent = values["referee_reward"] == "percent"
    return Settings(percent=values["referee_percent"] if by_percent else None,
                    amount=None if by_percent else values["referee_amount"],
                    reward_days=values["referee_days"], points=values["referrer_points"],
                    return_days=values["return_days"], monthly_limit=values["monthly_limit"])
