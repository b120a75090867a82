"""The tier ladder, written by the owner as YAML in the plugin's settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from hooks import FieldType, SettingField, TierInfo, plugin_settings
from loyalty_plugins.yaml_settings import (
    amount_in_cents,
    check_fields,
    code_and_name,
    load_list,
    number_between,
    word_list,
)

NAME = "tiers"

DEFAULT_TIERS = """\
- code: member
  name: Member
  threshold: "0"
- code: silver
  name: Silver
  threshold: "300.00"
  discount_percent: 5
  points_multiplier: 1.25
- code: gold
  name: Gold
  threshold: "1000.00"
  discount_percent: 10
  points_multiplier: 1.5
  flags: [early_access]
"""


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


@lru_cache(maxsize=16)
def parse(text: str) -> tuple[Tier, ...]:
    tiers = []
    for number, item in enumerate(load_list(text, "tiers"), start=1):
        where = f"tier {number}"
        check_fields(item, {"code", "name", "threshold", "discount_percent",
                            "points_multiplier", "flags"}, where)
        code, name = code_and_name(item, where)
        tiers.append(Tier(
            code=code, name=name, rank=0,
            threshold=amount_in_cents(item.get("threshold"), where, "threshold"),
            discount_percent=number_between(item.get("discount_percent", 0), where,
                                            "discount_percent", Decimal(0), Decimal(100)),
            points_multiplier=number_between(item.get("points_multiplier", 1), where,
                                             "points_multiplier", Decimal(0), Decimal(100)),
            flags=word_list(item.get("flags"), where, "flags")))
    tiers.sort(key=lambda t: t.threshold)
    if tiers[0].threshold != 0:
        raise ValueError("the lowest tier must have threshold 0 (every member has a tier)")
    if len({t.code for t in tiers}) != len(tiers) or \
            len({t.threshold for t in tiers}) != len(tiers):
        raise ValueError("codes and thresholds must all be different")
    return tuple(Tier(**{**t.__dict__, "rank": rank}) for rank, t in enumerate(tiers))


def _validate(text: str) -> None:
    parse(text)


SCHEMA = [
    SettingField("programme_name", FieldType.TEXT, default="Club Premium",
                 help="The name members see."),
    SettingField("tiers", FieldType.TEXT, default=DEFAULT_TIERS, multiline=True,
                 validator=_validate,
                 help="YAML list: code, name, threshold (net spend in the window), "
                      "discount_percent, points_multiplier, flags."),
    SettingField("window_months", FieldType.INTEGER, default=12, min=1, max=60,
                 help="Spend counts over this many months."),
    SettingField("grace_days", FieldType.INTEGER, default=30, min=0, max=365,
                 help="Days a member keeps a tier after their spend fell below it."),
]


def ladder() -> tuple[Tier, ...]:
    return parse(plugin_settings(NAME)["tiers"])


def tier_for_spend(spend: int, tiers: tuple[Tier, ...]) -> Tier:
    return [t for t in tiers if t.threshold <= spend][-1]


def by_code(code: str | None, tiers: tuple[Tier, ...]) -> Tier:
    return next((t for t in tiers if t.code == code), tiers[0])


def next_tier(tier: Tier, tiers: tuple[Tier, ...]) -> Tier | None:
    return tiers[tier.rank + 1] if tier.rank + 1 < len(tiers) else None
