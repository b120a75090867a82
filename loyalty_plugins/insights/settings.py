"""The owner's settings: the segment rules, and who counts as a loyal customer."""

from __future__ import annotations

from hooks import FieldType, SettingField, lazy_gettext, plugin_settings
from hooks import gettext as _
from loyalty_plugins.insights.rfm import DEFAULT_RULES, Rule

# What the owner reads for each segment's code.
SEGMENT_NAMES = {
    "champions": lazy_gettext("Champions"), "loyal": lazy_gettext("Loyal"),
    "new": lazy_gettext("New"), "potential": lazy_gettext("Potential"),
    "cannot lose": lazy_gettext("Cannot lose"), "at risk": lazy_gettext("At risk"),
    "hibernating": lazy_gettext("Hibernating"), "lost": lazy_gettext("Lost"),
    "other": lazy_gettext("Other"),
}
NAME = "insights"  # read by name: the refresh also runs from commands and tests


def _ranges_in_order(rows: list[dict]) -> None:
    for row in rows:
        if row["recency_from"] > row["recency_to"] or row["frequency_from"] > row["frequency_to"]:
            raise ValueError(_("each range must start at or below where it ends (%(segment)s)",
                               segment=row["segment"]))


def _score(name: str, label) -> SettingField:
    return SettingField(name, FieldType.INTEGER, required=True, min=1, max=5, label=label)


RULE_COLUMNS = (
    SettingField("segment", FieldType.CHOICE, required=True,
                 choices=tuple(rule.segment for rule in DEFAULT_RULES),
                 choice_labels=SEGMENT_NAMES, label=lazy_gettext("Segment")),
    _score("recency_from", lazy_gettext("Recency from")),
    _score("recency_to", lazy_gettext("Recency to")),
    _score("frequency_from", lazy_gettext("Frequency from")),
    _score("frequency_to", lazy_gettext("Frequency to")),
)
DEFAULT_ROWS = tuple({"segment": rule.segment, "recency_from": rule.recency[0],
                      "recency_to": rule.recency[1], "frequency_from": rule.frequency[0],
                      "frequency_to": rule.frequency[1]} for rule in DEFAULT_RULES)

SCHEMA = [
    SettingField("segment_rules", FieldType.TABLE, default=DEFAULT_ROWS, columns=RULE_COLUMNS,
                 validator=_ranges_in_order, label=lazy_gettext("Segment rules"),
                 help=lazy_gettext("The first row whose recency and frequency scores (1-5) "
                                   "hold a customer's names their segment; a customer no row "
                                   "holds is in \"other\". Remove every row to go back to the "
                                   "default rules.")),
    SettingField("loyal_min_orders", FieldType.INTEGER, default=3, min=2, max=100,
                 label=lazy_gettext("Orders of a loyal customer"),
                 help=lazy_gettext("A customer who placed at least this many orders in the "
                                   "last 12 months counts as loyal.")),
]


def rules() -> tuple[Rule, ...]:
    """The segment rules the owner set (the default ones until then)."""
    return tuple(Rule(row["segment"], (row["recency_from"], row["recency_to"]),
                      (row["frequency_from"], row["frequency_to"]))
                 for row in plugin_settings(NAME)["segment_rules"])


def loyal_min_orders() -> int:
    return plugin_settings(NAME)["loyal_min_orders"]
