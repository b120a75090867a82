"""The owner's settings: service targets per category, attachments, the posting limit and
the goodwill a staff member may approve alone."""

from __future__ import annotations

from dataclasses import dataclass

from hooks import FieldType, SettingField, lazy_gettext, plugin_settings
from loyalty_plugins.complaints.models import CATEGORIES
from loyalty_plugins.complaints.words import CATEGORY_NAMES

NAME = "complaints"  # read by name: the reactions and the digest run in the worker

SLA_COLUMNS = (
    SettingField("category", FieldType.CHOICE, required=True, choices=CATEGORIES,
                 choice_labels=CATEGORY_NAMES, unique=True, label=lazy_gettext("Category")),
    SettingField("first_reply_hours", FieldType.INTEGER, required=True, min=1, max=720,
                 label=lazy_gettext("First reply within (hours)")),
    SettingField("resolution_days", FieldType.INTEGER, required=True, min=1, max=365,
                 label=lazy_gettext("Resolved within (days)")),
)
DEFAULT_SLA = (
    {"category": "order", "first_reply_hours": 24, "resolution_days": 7},
    {"category": "product", "first_reply_hours": 24, "resolution_days": 14},
    {"category": "event", "first_reply_hours": 24, "resolution_days": 7},
    {"category": "service", "first_reply_hours": 48, "resolution_days": 14},
    {"category": "follow-up", "first_reply_hours": 48, "resolution_days": 7},
)
# A category the table leaves out gets these.
FALLBACK_SLA = {"first_reply_hours": 48, "resolution_days": 14}

SCHEMA = [
    SettingField("sla", FieldType.TABLE, default=DEFAULT_SLA, columns=SLA_COLUMNS,
                 label=lazy_gettext("Service targets per category"),
                 help=lazy_gettext("How soon staff answer a complaint first and resolve it, "
                                   "counted from when it was filed. A category without a row "
                                   "gets 48 hours and 14 days. Remove every row to go back to "
                                   "the default targets.")),
    SettingField("staff_points_limit", FieldType.INTEGER, default=500, min=0, max=1_000_000,
                 label=lazy_gettext("Points staff may approve"),
                 help=lazy_gettext("Goodwill points up to this many are approved by any staff "
                                   "member; more need a manager or the owner.")),
    SettingField("staff_amount_limit", FieldType.MONEY, default=1000, min=0,
                 label=lazy_gettext("Reward staff may approve"),
                 help=lazy_gettext("A goodwill reward (an amount off the next order) up to "
                                   "this is approved by any staff member; more needs a "
                                   "manager or the owner.")),
    SettingField("reward_days", FieldType.INTEGER, default=90, min=1, max=3650,
                 label=lazy_gettext("Days a goodwill reward is valid")),
    SettingField("attachment_max_kb", FieldType.INTEGER, default=5120, min=10, max=51200,
                 label=lazy_gettext("Largest attachment (KB)"),
                 help=lazy_gettext("PNG and JPEG pictures and PDF documents, up to this size "
                                   "each; other files are refused.")),
    SettingField("attachments_per_complaint", FieldType.INTEGER, default=3, min=0, max=10,
                 label=lazy_gettext("Attachments per complaint")),
    SettingField("rate_limit_count", FieldType.INTEGER, default=5, min=1, max=100,
                 label=lazy_gettext("Complaints and messages per person"),
                 help=lazy_gettext("The most complaints and messages one member or guest "
                                   "address may send within the rate window.")),
    SettingField("rate_limit_minutes", FieldType.INTEGER, default=60, min=1, max=1440,
                 label=lazy_gettext("Rate window (minutes)")),
    SettingField("max_text_length", FieldType.INTEGER, default=5000, min=100, max=20000,
                 label=lazy_gettext("Longest text (characters)")),
]


@dataclass(frozen=True)
class Target:
    first_reply_hours: int
    resolution_days: int


def current() -> dict:
    return plugin_settings(NAME)


def target(category: str, values: dict | None = None) -> Target:
    rows = {row["category"]: row for row in (values or current())["sla"]}
    row = rows.get(category, FALLBACK_SLA)
    return Target(row["first_reply_hours"], row["resolution_days"])
