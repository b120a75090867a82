"""The owner's settings: when members are asked, how long a link lasts, what answering gives,
and the SERVQUAL items in the owner's own words."""

from __future__ import annotations

from dataclasses import dataclass

from hooks import FieldType, SettingField, lazy_gettext, plugin_settings

NAME = "surveys"  # read by name: the reactions and the job also run in the worker
DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
DIMENSION_NAMES = {
    "tangibles": lazy_gettext("Tangibles"),
    "reliability": lazy_gettext("Reliability"),
    "responsiveness": lazy_gettext("Responsiveness"),
    "assurance": lazy_gettext("Assurance"),
    "empathy": lazy_gettext("Empathy"),
}
# The built-in wording of each SERVQUAL item: (expectation, perception).
BUILT_IN_WORDING = {
    "tangibles": (
        lazy_gettext("An excellent shop has a clear website, tidy packaging and neat "
                     "products."),
        lazy_gettext("Our website, packaging and products looked clear, tidy and neat.")),
    "reliability": (
        lazy_gettext("An excellent shop does what it promises, right the first time and "
                     "on time."),
        lazy_gettext("We did what we promised, right the first time and on time.")),
    "responsiveness": (
        lazy_gettext("An excellent shop answers and helps its customers quickly."),
        lazy_gettext("We answered and helped you quickly.")),
    "assurance": (
        lazy_gettext("An excellent shop has staff who know their job and inspire "
                     "confidence."),
        lazy_gettext("Our staff knew their job and inspired confidence.")),
    "empathy": (
        lazy_gettext("An excellent shop gives each customer individual attention."),
        lazy_gettext("We gave you individual attention.")),
}

SCHEMA = [
    SettingField("order_delay_days", FieldType.INTEGER, default=7, min=0, max=365,
                 label=lazy_gettext("Days after payment to ask about an order"),
                 help=lazy_gettext("The shop has no delivery status: the invitation goes "
                                   "this many days after the order is paid. Members' orders "
                                   "only.")),
    SettingField("event_delay_days", FieldType.INTEGER, default=1, min=0, max=365,
                 label=lazy_gettext("Days after an event to ask about it"),
                 help=lazy_gettext("Counted from the member's check-in at the door.")),
    SettingField("link_days", FieldType.INTEGER, default=30, min=1, max=365,
                 label=lazy_gettext("Days the survey link works"),
                 help=lazy_gettext("Counted from the invitation.")),
    SettingField("points", FieldType.INTEGER, default=20, min=0, max=100_000,
                 label=lazy_gettext("Points for answering"),
                 help=lazy_gettext("Given once per survey, while the points plugin is on. "
                                   "0: none.")),
    SettingField("servqual", FieldType.BOOLEAN, default=False,
                 label=lazy_gettext("Ask the SERVQUAL questions"),
                 help=lazy_gettext("Five pairs of 1-7 questions: what an excellent shop "
                                   "would do, and what we did.")),
    SettingField("servqual_wording", FieldType.TABLE, default=[],
                 label=lazy_gettext("SERVQUAL wording"),
                 help=lazy_gettext("Your own words for a dimension's two items. A dimension "
                                   "left out, or an empty cell: the built-in wording, in each "
                                   "member's language."),
                 columns=(
                     SettingField("dimension", FieldType.CHOICE, required=True,
                                  choices=DIMENSIONS, unique=True,
                                  label=lazy_gettext("Dimension"),
                                  choice_labels=DIMENSION_NAMES),
                     SettingField("expectation", FieldType.TEXT, default="",
                                  label=lazy_gettext("Expectation item")),
                     SettingField("perception", FieldType.TEXT, default="",
                                  label=lazy_gettext("Perception item")),
                 )),
    SettingField("rate_limit_count", FieldType.INTEGER, default=5, min=1, max=100,
                 label=lazy_gettext("Answers a member may send per hour"),
                 help=lazy_gettext("Past it, the survey page asks them to come back later.")),
]


@dataclass(frozen=True)
class Settings:
    order_delay_days: int
    event_delay_days: int
    link_days: int
    points: int
    servqual: bool
    wording: dict[str, tuple[str, str]]  # the owner's words; "" where built-in is used
    rate_limit_count: int


def current() -> Settings:
    values = plugin_settings(NAME)
    wording = {row["dimension"]: (row["expectation"].strip(), row["perception"].strip())
               for row in values["servqual_wording"]}
    return Settings(values["order_delay_days"], values["event_delay_days"],
                    values["link_days"], values["points"], values["servqual"], wording,
                    values["rate_limit_count"])


def items(cfg: Settings) -> list[tuple[str, str, str]]:
    """(dimension, expectation item, perception item) in the reader's language, the owner's
    words where given."""
    found = []
    for dimension in DIMENSIONS:
        own = cfg.wording.get(dimension, ("", ""))
        built_in = BUILT_IN_WORDING[dimension]
        found.append((dimension, own[0] or str(built_in[0]), own[1] or str(built_in[1])))
    return found
