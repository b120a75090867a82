"""The tier ladder: a table in the plugin's settings that the owner edits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from hooks import FieldType, SettingField, TierInfo, lazy_gettext, plugin_settings
from hooks import gettext as _

NAME = "tiers"

DEFAULT_LADDER = (
    {"code": "member", "name": "Member", "threshold": 0},
    {"code": "silver", "name": "Silver", "threshold": 30000, "discount_percent": Decimal(5),
     "points_multiplier": Decimal("1.25")},
    {"code": "gold", "name": "Gold", "threshold": 100000, "discount_percent": Decimal(10),
     "points_multiplier": Decimal("1.5"), "flags": ["early_access"]},
)

# The default tiers' names in the reader's language, for as long as the owner keeps them as
# they are (a name the owner wrote is shown as written).
DEFAULT_NAMES = {"Member": lazy_gettext("Member"), "Silver": lazy_gettext("Silver"),
                 "Gold": lazy_gettext("Gold")}


@dataclass(frozen=True)
class Tier:
    code: str
    name: str
    threshold: int  # minor units of net spend over the window
    rank: int
    discount_percent: Decimal = Decimal(0)
    points_multiplier: Decimal = Decimal(1)
    flags: tuple[str, ...] = field(default=())

    def info(self) -> TierInfo:
        benefits = {"discount_percent": self.discount_percent,
                    "points_multiplier": self.points_multiplier}
        benefits.update({flag: True for flag in self.flags})
        return TierInfo(self.code, self.name, self.rank, benefits)


def _one_word(code: str) -> None:
    if not code.isidentifier():
        raise ValueError(_("must be one word of letters, digits and _ (like gold)"))


def _lowest_tier_is_for_everyone(rows: list[dict]) -> None:
    if rows and min(row["threshold"] for row in rows) != 0:
        raise ValueError(_("the lowest tier must have threshold 0 (every member has a tier)"))


LADDER_COLUMNS = (
    SettingField("code", required=True, unique=True, validator=_one_word,
                 label=lazy_gettext("Code"),
                 help=lazy_gettext("One word; events and articles name tiers by it.")),
    SettingField("name", required=True, label=lazy_gettext("Name"),
                 help=lazy_gettext("What members see.")),
    SettingField("threshold", FieldType.MONEY, required=True, unique=True,
                 label=lazy_gettext("Threshold"),
                 help=lazy_gettext("Net spend in the window that reaches the tier.")),
    SettingField("discount_percent", FieldType.DECIMAL, default=Decimal(0), min=Decimal(0),
                 max=Decimal(100), label=lazy_gettext("Discount percent")),
    SettingField("points_multiplier", FieldType.DECIMAL, default=Decimal(1), min=Decimal(0),
                 max=Decimal(100), label=lazy_gettext("Points multiplier")),
    SettingField("flags", FieldType.LIST, default=[], label=lazy_gettext("Flags"),
                 help=lazy_gettext("More benefits, separated by commas: early_access shows "
                                   "members \"Early access\".")),
)

SCHEMA = [
    SettingField("programme_name", FieldType.TEXT, default="Club Premium",
                 label=lazy_gettext("Programme name"),
                 help=lazy_gettext("The name members see.")),
    SettingField("ladder", FieldType.TABLE, default=DEFAULT_LADDER, columns=LADDER_COLUMNS,
                 validator=_lowest_tier_is_for_everyone, label=lazy_gettext("Tier ladder"),
                 help=lazy_gettext("One row per tier; members reach a tier when their net "
                                   "spend reaches its threshold. Remove every row to go back "
                                   "to the default ladder.")),
    SettingField("window_months", FieldType.INTEGER, default=12, min=1, max=60,
                 label=lazy_gettext("Window months"),
                 help=lazy_gettext("Spend counts over this many months.")),
    SettingField("grace_days", FieldType.INTEGER, default=30, min=0, max=365,
                 label=lazy_gettext("Grace days"),
                 help=lazy_gettext("Days a member keeps a tier after their spend fell below "
                                   "it.")),
]


def tiers_from(rows: list[Mapping]) -> tuple[Tier, ...]:
    """The ladder's rows (typed, as plugin_settings gives them) as tiers, lowest first."""
    ordered = sorted(rows, key=lambda row: row["threshold"])
    return tuple(Tier(code=row["code"], name=str(DEFAULT_NAMES.get(row["name"], row["name"])),
                      threshold=row["threshold"],
                      rank=rank, discount_percent=row["discount_percent"],
                      points_multiplier=row["points_multiplier"], flags=tuple(row["flags"]))
                 for rank, row in enumerate(ordered))


def ladder() -> tuple[Tier, ...]:
    return tiers_from(plugin_settings()["ladder"])


def tier_for_spend(spend: int, tiers: tuple[Tier, ...]) -> Tier:
    return [t for t in tiers if t.threshold <= spend][-1]


def by_code(code: str | None, tiers: tuple[Tier, ...]) -> Tier:
    return next((t for t in tiers if t.code == code), tiers[0])


def next_tier(tier: Tier, tiers: tuple[Tier, ...]) -> Tier | None:
    return tiers[tier.rank + 1] if tier.rank + 1 < len(tiers) else None
