"""The community plugin's settings: moderation windows and posting limits."""

from __future__ import annotations

from hooks import FieldType, SettingField, lazy_gettext, plugin_settings

NAME = "community"

SCHEMA = [
    SettingField("comments_enabled", FieldType.BOOLEAN, default=True,
                 label=lazy_gettext("Discussions"),
                 help=lazy_gettext("Members may comment on the articles they can read.")),
    SettingField("edit_minutes", FieldType.INTEGER, default=15, min=0, max=1440,
                 label=lazy_gettext("Edit window (minutes)"),
                 help=lazy_gettext("How long members may edit or delete their own comment "
                                   "(0: never).")),
    SettingField("rate_limit_count", FieldType.INTEGER, default=5, min=1, max=100,
                 label=lazy_gettext("Comments per member"),
                 help=lazy_gettext("The most comments one member may post within the rate "
                                   "window.")),
    SettingField("rate_limit_minutes", FieldType.INTEGER, default=10, min=1, max=1440,
                 label=lazy_gettext("Rate window (minutes)"),
                 help=lazy_gettext("The window the comment limit counts over.")),
    SettingField("max_comment_length", FieldType.INTEGER, default=4000, min=100, max=20000,
                 label=lazy_gettext("Longest comment (characters)"),
                 help=lazy_gettext("Longer comments are refused with a message.")),
    SettingField("feed_entries", FieldType.INTEGER, default=20, min=1, max=200,
                 label=lazy_gettext("Feed entries"),
                 help=lazy_gettext("How many of the newest public articles the Atom feed "
                                   "carries.")),
]


def settings() -> dict:
    return plugin_settings()
