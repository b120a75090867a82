"""The owner's settings: which greetings, with which gift, in which words."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from hooks import FieldType, SettingField, lazy_gettext, plugin_settings

NAME = "birthdays"  # read by name: the job runs outside any request
GIFTS = ("points", "reward", "none")
REWARDS = ("percent", "amount")

SCHEMA = [
    SettingField("birthday", FieldType.BOOLEAN, default=True,
                 label=lazy_gettext("Birthday greetings"),
                 help=lazy_gettext("On the member's birthday, if they gave it on their account "
                                   "page. Born on 29 February: on 28 February in other "
                                   "years.")),
    SettingField("anniversary", FieldType.BOOLEAN, default=True,
                 label=lazy_gettext("Membership anniversary greetings"),
                 help=lazy_gettext("On the day the member joined, every year from the "
                                   "first.")),
    SettingField("gift", FieldType.CHOICE, default="points", choices=GIFTS,
                 label=lazy_gettext("Gift with each greeting"),
                 choice_labels={"points": lazy_gettext("points"),
                                "reward": lazy_gettext("a reward on the next order"),
                                "none": lazy_gettext("none, only the message")},
                 help=lazy_gettext("Points need the points plugin, a reward the rewards "
                                   "plugin; without it the member gets the message alone.")),
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
    SettingField("late_days", FieldType.INTEGER, default=7, min=0, max=60,
                 label=lazy_gettext("Greet late, up to this many days"),
                 help=lazy_gettext("When the job could not run on the day, the greeting "
                                   "still goes out this many days later, within the same "
                                   "year; never for a past year. 0: on the day only.")),
    SettingField("birthday_text", FieldType.TEXT, default="", multiline=True,
                 label=lazy_gettext("Birthday message"),
                 help=lazy_gettext("The words after the greeting. Empty: the built-in text, in "
                                   "each member's language. The gift is described below them "
                                   "in any case. See the messages at "
                                   "/plugins/birthdays/preview.")),
    SettingField("anniversary_text", FieldType.TEXT, default="", multiline=True,
                 label=lazy_gettext("Anniversary message"),
                 help=lazy_gettext("The words after the greeting. Empty: the built-in text, in "
                                   "each member's language.")),
]


@dataclass(frozen=True)
class Gift:
    kind: str  # points | reward | none
    points: int = 0
    percent: Decimal | None = None
    amount: int | None = None
    days: int = 0


@dataclass(frozen=True)
class Settings:
    birthday: bool
    anniversary: bool
    gift: Gift
    late_days: int
    texts: dict[str, str]  # kind -> the owner's words, empty for the built-in text


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
    return Settings(values["birthday"], values["anniversary"], gift, values["late_days"],
                    {"birthday": values["birthday_text"].strip(),
                     "anniversary": values["anniversary_text"].strip()})
