"""The owner's settings: when a new member is welcomed, with which gift, in which words."""

from __future__ import annotations

from dataclasses import dataclass

from hooks import FieldType, Gift, SettingField, gift_settings, lazy_gettext, plugin_settings

NAME = "welcome"  # read by name: the reactions also run in the worker and in commands
WHEN = ("confirmation", "registration")

SCHEMA = [
    SettingField("when", FieldType.CHOICE, default="confirmation", choices=WHEN,
                 label=lazy_gettext("Welcome new members"),
                 choice_labels={"confirmation": lazy_gettext("when they confirm their e-mail "
                                                             "address"),
                                "registration": lazy_gettext("when they register")},
                 help=lazy_gettext("Either way, once per e-mail address: an account created "
                                   "again with an address that was welcomed before gets "
                                   "nothing.")),
    *gift_settings(lazy_gettext("Joining gift")),
    SettingField("subject", FieldType.TEXT, default="", label=lazy_gettext("Subject"),
                 help=lazy_gettext("Empty: \"Welcome to the club\", in each member's "
                                   "language.")),
    SettingField("text", FieldType.TEXT, default="", multiline=True,
                 label=lazy_gettext("Message"),
                 help=lazy_gettext("The words after the greeting. Empty: the built-in text, in "
                                   "each member's language. The gift is described below them "
                                   "in any case. See the message at /plugins/welcome/preview.")),
]


@dataclass(frozen=True)
class Settings:
    when: str
    gift: Gift
    subject: str
    text: str


def current() -> Settings:
    values = plugin_settings(NAME)
    return Settings(values["when"], Gift.from_settings(values), values["subject"].strip(),
                    values["text"].strip())
