"""The owner's settings: when a new member is welcomed, with which gift, in which words."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hooks import FieldType, SettingField, lazy_gettext, plugin_settings

NAME = "welcome"  # read by name: the reactions also run in the worker and in commands
WHEN = ("confirmation", "registration")
GIFTS = ("points", "reward", "none")
REWARDS = ("percent", "amount")

SCHEMA = [
    SettingField("when", FieldType.CHOICE, default="confirmation", choices=WHEN,
                 label=lazy_gettext("Welcome new members"),
                 choice_labels={"confirmation": lazy_gettext("when they confirm their e-mail "
                                                             "address"),
                                "registration": lazy_gettext("when they register")},
                 help=lazy_gettext("Either way, once per e-mail address: an account created "
                                   "again with an address that was welcomed before gets "
                                   "nothing.")),
    SettingField("gift", FieldType.CHOICE, default="points", choices=GIFTS,
                 label=lazy_gettext("Joining gift"),
                 choice_labels={"points": lazy_gettext("points"),
                                "reward": lazy_gettext("a reward on the next order"),
                                "none": lazy_gettext("none, only the message")},
                 help=lazy_gettext("Points are given only while the points plugin is on, a "
                                   "reward only while the rewards plugin is; without them "
                                   "the member gets the message alone.")),
    SettingField("points", FieldType.INTEGER, default=100, min=1, max=1_000_000,
                 label=lazy_gettext("Points given")),
    SettingField("reward", FieldType.CHOICE, default="percent", choices=REWARDS,
                 label=lazy_gettext("Reward"),
                 choice_labels={"percent": lazy_gettext("a percentage off"),
                                "amount": lazy_gettext("an amount off")}),
    SettingField("reward_percent", FieldType.DECIMAL, default=Decimal(10), min=Decimal("0.01"),
                 max=Decimal(100), label=lazy_gettext("Percentage off the next order")),
    SettingField("reward_amount", FieldType.MONEY, default=500, min=1,
                 label=lazy_gettext("Amount off the next order")),
    SettingField("reward_days", FieldType.INTEGER, default=30, min=1, max=3650,
                 label=lazy_gettext("Days the reward is valid")),
    SettingField("subject", FieldType.TEXT, default="", label=lazy_gettext("Subject"),
                 help=lazy_gettext("Empty: \"Welcome to the club\", in each member's "
                                   "language.")),
    SettingField("text", FieldType.TEXT, default="", multiline=True,
                 label=lazy_gettext("Message"),
                 help=lazy_gettext("The words after the greeting. Empty: the built-in text, in "
                                   "each member's language. The gift is described below them "
                                   "in any case. See the message at /plugins/welcome/preview.")),
]


@dataclass(frozen=True)
class Gift:
    """What a newly welcomed member gets."""

    kind: str  # points | reward | none
    points: int = 0
    percent: Decimal | None = None
    amount: int | None = None
    days: int = 0


@dataclass(frozen=True)
class Settings:
    when: str
    gift: Gift
    subject: str
    text: str


def current() -> Settings:
    values = plugin_settings(NAME)
    kind = values["gift"]
    if kind == "points":
        gift = Gift("points", points=values["points"])
    elif kind == "reward" and values["reward"] == "percent":
        gift = Gift("reward", percent=values["reward_percent"], days=values["reward_days"])
    elif kind == "reward":
        gift = Gift("reward", amount=values["reward_amount"], days=values["reward_days"])
    else:
        gift = Gift("none")
    return Settings(values["when"], gift, values["subject"].strip(), values["text"].strip())
