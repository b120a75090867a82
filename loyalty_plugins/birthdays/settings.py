"""The owner's settings: which greetings, with which gift, in which words."""

from __future__ import annotations

from dataclasses import dataclass

from hooks import FieldType, Gift, SettingField, gift_settings, lazy_gettext, plugin_settings

NAME = "birthdays"  # read by name: the job runs outside any request

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
    *gift_settings(lazy_gettext("Gift with each greeting")),
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
class Settings:
    birthday: bool
    anniversary: bool
    gift: Gift
    late_days: int
    texts: dict[str, str]  # kind -> the owner's words, empty for the built-in text


def current() -> Settings:
    values = plugin_settings(NAME)
    return Settings(values["birthday"], values["anniversary"], Gift.from_settings(values),
                    values["late_days"],
                    {"birthday": values["birthday_text"].strip(),
                     "anniversary": values["anniversary_text"].strip()})
