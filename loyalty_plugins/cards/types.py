"""Card types, written by the owner as YAML in the plugin's settings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from hooks import FieldType, SettingField, plugin_settings
from loyalty_plugins.yaml_settings import (
    check_fields,
    code_and_name,
    load_list,
    number_between,
    word_list,
)

NAME = "cards"
GRANTS = ("on_joining", "tier", "staff")

DEFAULT_TYPES = """\
- code: member
  name: Member card
  discount_percent: 3
  validity_months: 24
  grant: on_joining
- code: preferential
  name: Preferential card
  discount_percent: 10
  categories: [coffee, tea]
  validity_months: 12
  grant: tier
  min_tier: gold
"""


@dataclass(frozen=True)
class CardType:
    code: str
    name: str
    discount_percent: Decimal
    validity_months: int  # 0: does not expire
    grant: str
    min_tier: str = ""
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def applies_to(self, line) -> bool:
        if not self.categories and not self.tags:
            return True
        return line.category in self.categories or bool(set(line.tags) & set(self.tags))


@lru_cache(maxsize=16)
def parse(text: str) -> tuple[CardType, ...]:
    types = []
    for number, item in enumerate(load_list(text, "card types"), start=1):
        where = f"card type {number}"
        check_fields(item, {"code", "name", "discount_percent", "validity_months", "grant",
                            "min_tier", "categories", "tags"}, where)
        code, name = code_and_name(item, where)
        grant = item.get("grant", "staff")
        if grant not in GRANTS:
            raise ValueError(f"{where}: grant must be one of {', '.join(GRANTS)}")
        if grant == "tier" and not item.get("min_tier"):
            raise ValueError(f"{where}: a tier card needs min_tier (a tier code)")
        types.append(CardType(
            code=code, name=name,
            discount_percent=number_between(item.get("discount_percent", 0), where,
                                            "discount_percent", Decimal(0), Decimal(100)),
            validity_months=int(number_between(item.get("validity_months", 12), where,
                                               "validity_months", Decimal(0), Decimal(240))),
            grant=grant, min_tier=str(item.get("min_tier", "")),
            categories=word_list(item.get("categories"), where, "categories"),
            tags=word_list(item.get("tags"), where, "tags")))
    if len({t.code for t in types}) != len(types):
        raise ValueError("card type codes must all be different")
    return tuple(types)


def _validate(text: str) -> None:
    parse(text)


SCHEMA = [
    SettingField("types", FieldType.TEXT, default=DEFAULT_TYPES, multiline=True,
                 validator=_validate,
                 help="YAML list: code, name, discount_percent, validity_months (0: never "
                      "expires), grant (on_joining, tier, staff), min_tier, categories, tags."),
    SettingField("stacking", FieldType.CHOICE, default="best_of",
                 choices=("best_of", "combinable"),
                 help="With the tier discount: best of the two, or both."),
]


def card_types() -> tuple[CardType, ...]:
    return parse(plugin_settings(NAME)["types"])


def card_type(code: str) -> CardType | None:
    return next((t for t in card_types() if t.code == code), None)
