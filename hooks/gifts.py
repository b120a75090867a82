"""A gift the owner chooses in a plugin's settings: points (the points plugin's
``points_grant``) or a reward off the member's next order (the rewards plugin's
``rewards_grant``), or none. The welcome and birthdays plugins use it::

    from hooks import Gift, gift_settings

    SCHEMA = [*gift_settings(lazy_gettext("Birthday gift")), ...]
    gift = Gift.from_settings(plugin_settings())
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from hooks.text import lazy_gettext
from hooks.types import FieldType, SettingField

GIFT_KINDS = ("points", "reward", "none")
REWARD_KINDS = ("percent", "amount")
# The published hook of the plugin that gives each kind of gift.
GIVERS = {"points": "points_grant", "reward": "rewards_grant"}


def gift_settings(label: str, *, points: int = 100, days: int = 30) -> list[SettingField]:
    """The settings of a gift, named ``gift``, ``points``, ``reward``, ``reward_percent``,
    ``reward_amount`` and ``reward_days``; ``label`` is the ``gift`` field's (``points`` and
    ``days``: the defaults)."""
    return [
        SettingField("gift", FieldType.CHOICE, default="points", choices=GIFT_KINDS,
                     label=label,
                     choice_labels={"points": lazy_gettext("points"),
                                    "reward": lazy_gettext("a reward on the next order"),
                                    "none": lazy_gettext("none, only the message")},
                     help=lazy_gettext("Points are given only while the points plugin is on, "
                                       "a reward only while the rewards plugin is; without "
                                       "them the member gets the message alone.")),
        SettingField("points", FieldType.INTEGER, default=points, min=1, max=1_000_000,
                     label=lazy_gettext("Points given")),
        SettingField("reward", FieldType.CHOICE, default="percent", choices=REWARD_KINDS,
                     label=lazy_gettext("Reward"),
                     choice_labels={"percent": lazy_gettext("a percentage off"),
                                    "amount": lazy_gettext("an amount off")}),
        SettingField("reward_percent", FieldType.DECIMAL, default=Decimal(10),
                     min=Decimal("0.01"), max=Decimal(100),
                     label=lazy_gettext("Percentage off the next order")),
        SettingField("reward_amount", FieldType.MONEY, default=500, min=1,
                     label=lazy_gettext("Amount off the next order")),
        SettingField("reward_days", FieldType.INTEGER, default=days, min=1, max=3650,
                     label=lazy_gettext("Days the reward is valid")),
    ]


@dataclass(frozen=True)
class Gift:
    """What a member gets: ``kind`` ``points`` (``points``), ``reward`` (``percent`` or
    ``amount`` off one order, valid ``days``) or ``none``."""

    kind: str = "none"
    points: int = 0
    percent: Decimal | None = None
    amount: int | None = None
    days: int = 0

    @classmethod
    def from_settings(cls, values: Mapping) -> Gift:
        """The gift of settings made by ``gift_settings``, as ``plugin_settings()`` reads
        them."""
        kind = values["gift"]
        if kind == "points":
            return cls("points", points=values["points"])
        if kind == "reward" and values["reward"] == "percent":
            return cls("reward", percent=values["reward_percent"], days=values["reward_days"])
        if kind == "reward":
            return cls("reward", amount=values["reward_amount"], days=values["reward_days"])
        return cls("none")

    @property
    def giver(self) -> str | None:
        """The published hook that gives this gift (None for ``none``)."""
        return GIVERS.get(self.kind)
