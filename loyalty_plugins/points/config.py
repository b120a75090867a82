"""The points plugin's settings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from hooks import FieldType, SettingField, lazy_gettext, plugin_settings, shop_timezone

NAME = "points"


SCHEMA = [
    SettingField("earn_per_unit", FieldType.DECIMAL, default=Decimal(1), min=Decimal(0),
                 max=Decimal(1000), label=lazy_gettext("Points per currency unit"),
                 help=lazy_gettext("Points earned per 1.00 paid (shipping excluded).")),
    SettingField("rounding", FieldType.CHOICE, default="down", choices=("down", "nearest", "up"),
                 label=lazy_gettext("Rounding"),
                 choice_labels={"down": lazy_gettext("down"), "nearest": lazy_gettext("nearest"),
                                "up": lazy_gettext("up")},
                 help=lazy_gettext("How fractions of a point earned are rounded.")),
    SettingField("point_value", FieldType.MONEY, default=1, min=1, max=10000,
                 label=lazy_gettext("Value of a point"),
                 help=lazy_gettext("What one point is worth at checkout.")),
    SettingField("min_redeem", FieldType.INTEGER, default=100, min=1, max=10**9,
                 label=lazy_gettext("Minimum points per redemption")),
    SettingField("max_share_percent", FieldType.INTEGER, default=50, min=1, max=100,
                 label=lazy_gettext("Largest share of an order paid with points (%)")),
    SettingField("pending_days", FieldType.INTEGER, default=14, min=0, max=365,
                 label=lazy_gettext("Pending days"),
                 help=lazy_gettext("Earned points become usable after this many days (the "
                                   "return window).")),
    SettingField("expiry_months", FieldType.INTEGER, default=12, min=0, max=120,
                 label=lazy_gettext("Expiry months"),
                 help=lazy_gettext("Points expire this many months after they became usable "
                                   "(0: never).")),
    SettingField("notice_days", FieldType.INTEGER, default=30, min=0, max=365,
                 label=lazy_gettext("Notice days"),
                 help=lazy_gettext("Tell members this many days before their points expire "
                                   "(0: never).")),
    SettingField("earn_on_points_paid", FieldType.BOOLEAN, default=False,
                 label=lazy_gettext("Earn on points paid"),
                 help=lazy_gettext("Whether the part of an order paid with points earns points.")),
    SettingField("signup_bonus", FieldType.INTEGER, default=0, min=0, max=10**6,
                 label=lazy_gettext("Signup bonus"),
                 help=lazy_gettext("Points given when a shopper creates an account.")),
    SettingField("approval_above", FieldType.INTEGER, default=1000, min=0, max=10**7,
                 label=lazy_gettext("Staff corrections needing approval above (points)"),
                 help=lazy_gettext("A staff correction of more than this many points, added or "
                                   "taken, waits until a manager or the owner approves it.")),
]


@dataclass(frozen=True)
class PointsConfig:
    earn_per_unit: Decimal
    rounding: str
    point_value: int
    min_redeem: int
    max_share_percent: int
    pending_days: int
    expiry_months: int
    notice_days: int
    tz: ZoneInfo  # the shop's (SHOP_TIMEZONE), as every plugin's days
    earn_on_points_paid: bool
    signup_bonus: int
    approval_above: int


def current() -> PointsConfig:
    s = plugin_settings()
    return PointsConfig(
        earn_per_unit=Decimal(s["earn_per_unit"]), rounding=s["rounding"],
        point_value=s["point_value"], min_redeem=s["min_redeem"],
        max_share_percent=s["max_share_percent"], pending_days=s["pending_days"],
        expiry_months=s["expiry_months"], notice_days=s["notice_days"], tz=shop_timezone(),
        earn_on_points_paid=s["earn_on_points_paid"], signup_bonus=s["signup_bonus"],
        approval_above=s["approval_above"],
    )
