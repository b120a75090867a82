"""Card types: a table in the plugin's settings that the owner edits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from hooks import FieldType, SettingField, lazy_gettext, plugin_settings
from hooks import gettext as _

NAME = "cards"
GRANTS = ("on_joining", "tier", "staff")

DEFAULT_TYPES = (
    {"code": "member", "name": "Member card", "discount_percent": Decimal(3),
     "validity_months": 24, "grant": "on_joining"},
    {"code": "preferential", "name": "Preferential card", "discount_percent": Decimal(10),
     "categories": ["coffee", "tea"], "validity_months": 12, "grant": "tier",
     "min_tier": "gold"},
)

# The default types' names in the reader's language, for as long as the owner keeps them as
# they are (a name the owner wrote is shown as written).
DEFAULT_NAMES = {"Member card": lazy_gettext("Member card"),
                 "Preferential card": lazy_gettext("Preferential card")}


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


def _one_word(code: str) -> None:
    if not code.isidentifier():
        raise ValueError(_("must be one word of letters, digits and _ (like member)"))


def _tier_cards_name_a_tier(rows: list[dict]) -> None:
    missing = [number for number, row in enumerate(rows, start=1)
               if row["grant"] == "tier" and not row["min_tier"]]
    if missing:
        raise ValueError("; ".join(_("row %(number)s, min_tier: a card granted by tier needs "
                                     "the code of the lowest tier that gets it (like gold)",
                                     number=number) for number in missing))


TYPE_COLUMNS = (
    SettingField("code", required=True, unique=True, validator=_one_word,
                 label=lazy_gettext("Code"),
                 help=lazy_gettext("One word; cards are issued by it.")),
    SettingField("name", required=True, label=lazy_gettext("Name"),
                 help=lazy_gettext("What members see.")),
    SettingField("discount_percent", FieldType.DECIMAL, default=Decimal(0), min=Decimal(0),
                 max=Decimal(100), label=lazy_gettext("Discount percent")),
    SettingField("validity_months", FieldType.INTEGER, default=12, min=0, max=240,
                 label=lazy_gettext("Validity months"), help=lazy_gettext("0: never expires.")),
    SettingField("grant", FieldType.CHOICE, default="staff", choices=GRANTS,
                 label=lazy_gettext("Grant"),
                 choice_labels={"on_joining": lazy_gettext("on joining"),
                                "tier": lazy_gettext("from a tier"),
                                "staff": lazy_gettext("by staff")},
                 help=lazy_gettext("Who gets it: every member on joining, a tier and above, or "
                                   "chosen customers (by staff).")),
    SettingField("min_tier", default="", label=lazy_gettext("Min tier"),
                 help=lazy_gettext("For grant tier: the lowest tier's code.")),
    SettingField("categories", FieldType.LIST, default=[], label=lazy_gettext("Categories"),
                 help=lazy_gettext("Only these product categories, separated by commas "
                                   "(empty: all).")),
    SettingField("tags", FieldType.LIST, default=[], label=lazy_gettext("Tags"),
                 help=lazy_gettext("Or products with these tags, separated by commas.")),
)

SCHEMA = [
    SettingField("types", FieldType.TABLE, default=DEFAULT_TYPES, columns=TYPE_COLUMNS,
                 validator=_tier_cards_name_a_tier, label=lazy_gettext("Card types"),
                 help=lazy_gettext("One row per kind of card. Remove every row to go back to "
                                   "the default types.")),
    SettingField("stacking", FieldType.CHOICE, default="best_of",
                 choices=("best_of", "combinable"), label=lazy_gettext("Stacking"),
                 choice_labels={"best_of": lazy_gettext("best of the two"),
                                "combinable": lazy_gettext("both")},
                 help=lazy_gettext("With the tier discount: best of the two, or both.")),
]


def types_from(rows: list[Mapping]) -> tuple[CardType, ...]:
    """The table's rows (typed, as plugin_settings gives them) as card types."""
    return tuple(CardType(code=row["code"], name=str(DEFAULT_NAMES.get(row["name"], row["name"])),
                          discount_percent=row["discount_percent"],
                          validity_months=row["validity_months"], grant=row["grant"],
                          min_tier=row["min_tier"], categories=tuple(row["categories"]),
                          tags=tuple(row["tags"])) for row in rows)


def card_types() -> tuple[CardType, ...]:
    return types_from(plugin_settings()["types"])


def card_type(code: str) -> CardType | None:
    return next((t for t in card_types() if t.code == code), None)
