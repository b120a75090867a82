"""The owner's settings: when the monthly statement goes out, what it says, in which words."""

from __future__ import annotations

from dataclasses import dataclass

from hooks import FieldType, SettingField, lazy_gettext, plugin_settings

NAME = "statements"  # read by name: the job also runs in the worker and in commands
SECTIONS = ("points", "tier", "events")

SCHEMA = [
    SettingField("day", FieldType.INTEGER, default=1, min=1, max=28,
                 label=lazy_gettext("Day of the month"),
                 help=lazy_gettext("The statement for the month just ended goes out on this "
                                   "day of the month or the first run after it, in the shop's "
                                   "time zone.")),
    SettingField("sections", FieldType.LIST, item_type=FieldType.CHOICE, choices=SECTIONS,
                 default=list(SECTIONS), unique=True, label=lazy_gettext("Sections"),
                 choice_labels={"points": lazy_gettext("points"),
                                "tier": lazy_gettext("tier progress"),
                                "events": lazy_gettext("upcoming events")},
                 help=lazy_gettext("What the statement shows, separated by commas. A section "
                                   "is left out while its plugin is off.")),
    SettingField("events_days", FieldType.INTEGER, default=30, min=1, max=365,
                 label=lazy_gettext("Events horizon days"),
                 help=lazy_gettext("Events starting within this many days are listed.")),
    SettingField("send_empty", FieldType.BOOLEAN, default=False,
                 label=lazy_gettext("Send even when empty"),
                 help=lazy_gettext("Off: a member with nothing to report (no points moved or "
                                   "held, no spend towards a tier, no event ahead) gets no "
                                   "statement that month.")),
    SettingField("subject", FieldType.TEXT, default="", label=lazy_gettext("Subject"),
                 help=lazy_gettext("Empty: \"Your statement for <month>\", in each member's "
                                   "language.")),
    SettingField("intro", FieldType.TEXT, default="", multiline=True,
                 label=lazy_gettext("Introduction"),
                 help=lazy_gettext("The words after the greeting. Empty: the built-in text, in "
                                   "each member's language. See the message at "
                                   "/plugins/statements/preview.")),
]


@dataclass(frozen=True)
class Settings:
    day: int
    sections: tuple[str, ...]
    events_days: int
    send_empty: bool
    subject: str
    intro: str


def current() -> Settings:
    values = plugin_settings(NAME)
    return Settings(values["day"], tuple(values["sections"]), values["events_days"],
                    values["send_empty"], values["subject"].strip(), values["intro"].strip())
