"""The community plugin's settings: moderation windows and posting limits."""

from __future__ import annotations

from hooks import FieldType, SettingField, plugin_settings

NAME = "community"

SCHEMA = [
    SettingField("comments_enabled", FieldType.BOOLEAN, default=True,
                 label="Discussions",
                 help="Members may comment on the articles they can read."),
    SettingField("edit_minutes", FieldType.INTEGER, default=15, min=0, max=1440,
                 label="Edit window (minutes)",
                 help="How long members may edit or delete their own comment (0: never)."),
    SettingField("rate_limit_count", FieldType.INTEGER, default=5, min=1, max=100,
                 label="Comments per member",
                 help="The most comments one member may post within the rate window."),
    SettingField("rate_limit_minutes", FieldType.INTEGER, default=10, min=1, max=1440,
                 label="Rate window (minutes)",
                 help="The window the comment limit counts over."),
    SettingField("max_comment_length", FieldType.INTEGER, default=4000, min=100, max=20000,
                 label="Longest comment (characters)",
                 help="Longer comments are refused with a message."),
    SettingField("feed_entries", FieldType.INTEGER, default=20, min=1, max=200,
                 label="Feed entries",
                 help="How many of the newest public articles the Atom feed carries."),
]


def settings() -> dict:
    return plugin_settings()
