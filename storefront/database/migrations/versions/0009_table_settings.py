"""plugin settings: the tier ladder and the card types, kept as YAML text, become tables

Revision ID: 0009
Revises: 0008

The tiers plugin's ``tiers`` text becomes the table ``ladder``; the cards plugin's ``types``
text becomes a table under the same name. Money becomes minor units and numbers their text,
as the settings code stores them. A text that cannot be read is not lost: it is kept under
the settings key ``set-aside`` with the reason, shown on the plugin's admin page until the
owner discards it, and the plugin uses its default meanwhile (as it did with invalid text).
This file keeps its own copy of what it needs: later plugin code may read differently.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
import yaml
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SET_ASIDE = "set-aside"
log = logging.getLogger("storefront.migrations")


def _text(value: object) -> str:
    return str(value).strip()


def _decimal(value: object) -> str:
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError("must be a number") from exc
    if not number.is_finite():
        raise ValueError("must be a number")
    return str(number)


def _cents(value: object) -> int:
    amount = Decimal(_decimal(value))
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError("must be an amount like 300.00")
    return int(amount * 100)


def _whole(value: object) -> int:
    return int(Decimal(_decimal(value)))  # as the YAML reader did: 12.0 is 12


def _words(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError("must be a list of words")
    return value


# plugin -> (the old text's key, the table's key, what each column's value becomes)
TABLES: dict[str, tuple[str, str, dict[str, Callable[[object], object]]]] = {
    "tiers": ("tiers", "ladder", {
        "code": _text, "name": _text, "threshold": _cents, "discount_percent": _decimal,
        "points_multiplier": _decimal, "flags": _words}),
    "cards": ("types", "types", {
        "code": _text, "name": _text, "discount_percent": _decimal, "validity_months": _whole,
        "grant": _text, "min_tier": _text, "categories": _words, "tags": _words}),
}


def rows_from_yaml(text: str, columns: dict[str, Callable[[object], object]]) -> list[dict]:
    """The rows a YAML list of mappings stands for; ValueError naming the item if it can't."""
    try:
        items = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(items, list) or not items:
        raise ValueError("not a YAML list of rows")
    rows = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValueError(f"item {number} is not a mapping of named values")
        row = {}
        for name, value in item.items():
            if name not in columns:
                raise ValueError(f"item {number}: {name} is not a column of the new table")
            if value is None:
                continue
            try:
                row[name] = columns[name](value)
            except ValueError as exc:
                raise ValueError(f"item {number}, {name}: {exc}") from exc
        rows.append(row)
    return rows


def _state():
    return sa.table("plugin_state", sa.column("name", sa.String),
                    sa.column("settings", sa.JSON))


def _save(connection, state, name: str, settings: dict) -> None:
    connection.execute(sa.update(state).where(state.c.name == name).values(settings=settings))


def _bump_state_version(connection) -> None:
    """Running shops reload the plugin settings they keep in memory."""
    connection.execute(sa.text("UPDATE plugin_state_version SET version = version + 1"))


def upgrade() -> None:
    connection, state = op.get_bind(), _state()
    for name, settings in connection.execute(
            sa.select(state.c.name, state.c.settings).where(state.c.name.in_(TABLES))).all():
        old_key, new_key, columns = TABLES[name]
        text = (settings or {}).get(old_key)
        if not isinstance(text, str):
            continue
        settings = {key: value for key, value in settings.items() if key != old_key}
        try:
            settings[new_key] = rows_from_yaml(text, columns)
        except ValueError as exc:
            settings[SET_ASIDE] = {**settings.get(SET_ASIDE, {}),
                                   new_key: {"text": text, "problem": str(exc)}}
            log.warning("%s.%s: the old YAML text could not be read (%s); it is kept under "
                        "%r and shown on the plugin's admin page, and the plugin uses its "
                        "default %s until the owner enters it again.",
                        name, new_key, exc, SET_ASIDE, new_key)
        _save(connection, state, name, settings)
    _bump_state_version(connection)


def _amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def _yaml_from_rows(rows: list[dict]) -> str:
    return yaml.safe_dump([{key: _amount(value) if key == "threshold" else value
                            for key, value in row.items()} for row in rows], sort_keys=False)


def downgrade() -> None:
    connection, state = op.get_bind(), _state()
    for name, settings in connection.execute(
            sa.select(state.c.name, state.c.settings).where(state.c.name.in_(TABLES))).all():
        old_key, new_key, _columns = TABLES[name]
        settings = dict(settings or {})
        kept = dict(settings.pop(SET_ASIDE, None) or {})
        rows = settings.pop(new_key, None)
        if isinstance(rows, list):
            settings[old_key] = _yaml_from_rows(rows)
        elif new_key in kept:
            settings[old_key] = kept.pop(new_key)["text"]
        if kept:
            settings[SET_ASIDE] = kept
        _save(connection, state, name, settings)
    _bump_state_version(connection)
