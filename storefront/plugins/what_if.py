"""The "what if" of a plugin's settings page: the plugin tries the settings in the form on
past orders (``shop_settings_what_if``) beside its saved settings; nothing is saved."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import pluggy

from hooks.dates import add_months
from hooks.types import FieldType, SettingField, WhatIf
from storefront.i18n import money, number
from storefront.plugins.settings import coerce
from storefront.plugins.setup import flatten, setup_callers

log = logging.getLogger("storefront.plugins")

HOOK = "shop_settings_what_if"
MONTHS_INPUT = "what-if-months"  # not an identifier: never the name of a setting
MONTHS = SettingField("months", FieldType.INTEGER, default=12, min=1, max=120)


@dataclass(frozen=True)
class Answer:
    """What the plugin answered for the last ``months`` months; ``failed``: it raised."""

    months: int
    tables: list[WhatIf]
    failed: bool = False


def offered(pm: pluggy.PluginManager, name: str) -> bool:
    return any(plugin == name for plugin, _caller in setup_callers(pm, HOOK))


def months_from(text: str | None) -> int:
    """The months the owner asked for; ValueError (in the reader's language) if invalid."""
    return coerce(MONTHS, text)


def period_start(months: int, now: datetime) -> datetime:
    return datetime.combine(add_months(now.date(), -months), now.time())


def ask(pm: pluggy.PluginManager, name: str, current: dict, candidate: dict, months: int,
        now: datetime) -> Answer:
    """The answer of plugin ``name`` alone (enabled or not); a failure is logged."""
    for plugin, caller in setup_callers(pm, HOOK):
        if plugin != name:
            continue
        try:
            tables = flatten(caller(current=current, candidate=candidate,
                                    since=period_start(months, now)))
        except Exception:  # noqa: BLE001 - page furniture: the settings page still renders
            log.exception("plugin %s failed in %s", name, HOOK)
            return Answer(months, [], failed=True)
        return Answer(months, [table for table in tables if isinstance(table, WhatIf)])
    return Answer(months, [])


def shown(value: int | None, is_money: bool, signed: bool = False) -> str:
    """A figure of a what-if as the reader's language writes it; a dash for no value."""
    if value is None:
        return "–"
    if is_money:
        written = money(value)
        return f"+{written}" if signed and value > 0 else written
    return number(value, signed)
