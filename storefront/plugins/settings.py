"""Plugin settings: coerce and validate raw values (from a form or the CLI) against a schema.

Lists and tables are validated item by item and cell by cell; every problem is reported
with its item or row number and column, and nothing is saved unless all of them are fixed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from hooks.text import ngettext
from hooks.types import FieldType, SettingField
from storefront.money import minor_to_text, parse_money

MASK = "••••••••"
TRUE_WORDS = {"1", "true", "yes", "on", "y"}
FALSE_WORDS = {"0", "false", "no", "off", "n", ""}
MAX_ITEMS = 500  # items in a list, rows in a table
# Where the upgrade that turned YAML text settings into tables keeps a text it could not
# read (not an identifier, so it can never be the name of a setting).
SET_ASIDE_KEY = "set-aside"
MAX_TEXT = 20000  # characters in a text
# What parse_money says is wrong with an amount, in the reader's language.
MONEY_PROBLEMS = {
    "must be an amount like 12.50": lazy_gettext("must be an amount like 12.50"),
    "has more than two decimal places": lazy_gettext("has more than two decimal places"),
    "must not be negative": lazy_gettext("must not be negative"),
}


def money_problem(exc: ValueError) -> str:
    """The problem parse_money found with an amount, in the reader's language."""
    return str(MONEY_PROBLEMS.get(str(exc), exc))


class SettingsError(ValueError):
    """Maps field name -> problem; str() names every field."""

    def __init__(self, plugin: str, problems: dict[str, str]):
        self.plugin, self.problems = plugin, problems
        super().__init__("; ".join(f"{plugin}.{f}: {p}" for f, p in problems.items()))


def coerce(field: SettingField, raw: object) -> object:
    """One value, from text or a Python value, to the field's type; ValueError if invalid
    (its message in the reader's language)."""
    if field.type is FieldType.LIST:
        return _many(field, raw, "item", _list_items)
    if field.type is FieldType.TABLE:
        return _many(field, raw, "row", _table_rows)
    if isinstance(raw, list | tuple | dict):
        raise ValueError(_("must be a single value, not a list"))
    if raw is None or (isinstance(raw, str) and raw.strip() == "" and
                       field.type is not FieldType.BOOLEAN):
        if field.required:
            raise ValueError(_("is required"))
        return field.default
    kind = field.type
    if kind is FieldType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        word = str(raw).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(_("must be true or false"))
    if kind is FieldType.INTEGER:
        if isinstance(raw, bool):
            raise ValueError(_("must be a whole number"))
        try:
            value = int(str(raw).strip())
        except ValueError as exc:
            raise ValueError(_("must be a whole number")) from exc
    elif kind is FieldType.DECIMAL:
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation as exc:
            raise ValueError(_("must be a number like 1.5")) from exc
        if not value.is_finite():
            raise ValueError(_("must be a number like 1.5"))
    elif kind is FieldType.MONEY:
        if isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        else:
            try:
                value = parse_money(raw)
            except ValueError as exc:
                raise ValueError(money_problem(exc)) from exc
    elif kind is FieldType.CHOICE:
        value = str(raw).strip()
        if value not in field.choices:
            raise ValueError(_("must be one of %(choices)s", choices=", ".join(field.choices)))
        return _checked(field, value)
    else:
        value = str(raw)
        if len(value) > MAX_TEXT:
            raise ValueError(_("is longer than %(max)s characters", max=MAX_TEXT))
        return _checked(field, value)
    if field.min is not None and value < field.min:
        raise ValueError(_("must be at least %(min)s", min=field.min))
    if field.max is not None and value > field.max:
        raise ValueError(_("must be at most %(max)s", max=field.max))
    return _checked(field, value)


def _checked(field: SettingField, value: object) -> object:
    if field.validator is not None:
        field.validator(value)  # raises ValueError naming the problem
    return value


def _blank(raw: object) -> bool:
    return raw is None or raw == "" or (isinstance(raw, list | tuple) and not raw)


def _many(field: SettingField, raw: object, unit: str,
          typed: Callable[[SettingField, list | tuple], tuple[list, list[str]]]) -> list:
    """A list or a table (``unit`` "item" or "row"): each item or row typed, then the
    field's own validator."""
    items = unit == "item"
    if _blank(raw):  # an empty list or table stands for the default
        raw = field.default or []
        if field.required and not raw:
            raise ValueError(_("needs at least one item") if items else
                             _("needs at least one row"))
    if not isinstance(raw, list | tuple):
        raise ValueError(_("must be a list of items") if items else _("must be a list of rows"))
    if len(raw) > MAX_ITEMS:
        raise ValueError(
            ngettext("has %(num)s item; at most %(max)s are allowed",
                     "has %(num)s items; at most %(max)s are allowed", len(raw), max=MAX_ITEMS)
            if items else
            ngettext("has %(num)s row; at most %(max)s are allowed",
                     "has %(num)s rows; at most %(max)s are allowed", len(raw), max=MAX_ITEMS))
    values, problems = typed(field, raw)
    if problems:
        raise ValueError("; ".join(problems))
    return _checked(field, values)


def _list_items(field: SettingField, raw: list | tuple) -> tuple[list, list[str]]:
    item = field.item_field
    values, problems, seen = [], [], {}
    for number, value in enumerate(raw, start=1):
        if _blank(value):
            problems.append(_("item %(number)s: is empty; fill it in or remove it",
                              number=number))
            continue
        try:
            typed = coerce(item, value)
        except ValueError as exc:
            problems.append(_("item %(number)s: %(problem)s", number=number, problem=str(exc)))
            continue
        values.append(typed)
        if field.unique and _hashable(typed) in seen:
            problems.append(_("item %(number)s: %(value)s is already item %(first)s; each item "
                              "may appear only once", number=number,
                              value=display(item, typed), first=seen[_hashable(typed)]))
        seen.setdefault(_hashable(typed), number)
    return values, problems


def _table_rows(field: SettingField, raw: list | tuple) -> tuple[list, list[str]]:
    columns = {column.name: column for column in field.columns}
    rows, problems = [], []
    seen: dict[str, dict] = {name: {} for name, column in columns.items() if column.unique}
    for number, row in enumerate(raw, start=1):
        if not isinstance(row, Mapping):
            example = f'{{"{field.columns[0].name}": ...}}'
            problems.append(_("row %(number)s: must be a row of named cells, like %(example)s",
                              number=number, example=example))
            continue
        problems.extend(_("row %(number)s, %(column)s: is not a column of this table (its "
                          "columns are %(columns)s)", number=number, column=name,
                          columns=", ".join(columns)) for name in row if name not in columns)
        typed = {}
        for name, column in columns.items():
            try:
                typed[name] = coerce(column, row.get(name))
            except ValueError as exc:
                problems.append(_("row %(number)s, %(column)s: %(problem)s", number=number,
                                  column=name, problem=str(exc)))
                continue
            if name in seen and typed[name] is not None:
                first = seen[name].setdefault(_hashable(typed[name]), number)
                if first != number:
                    problems.append(_("row %(number)s, %(column)s: %(value)s is already used "
                                      "in row %(first)s; each row needs its own %(column)s",
                                      number=number, column=name,
                                      value=display(column, typed[name]), first=first))
        rows.append(typed)
    return rows, problems


def _hashable(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def to_storable(value: object) -> object:
    """A typed value as it is kept in the database's JSON."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [to_storable(item) for item in value]
    if isinstance(value, Mapping):
        return {key: to_storable(item) for key, item in value.items()}
    return value


def validate(plugin: str, schema: list[SettingField], stored: dict, changes: dict) -> dict:
    """Merge ``changes`` into ``stored`` and validate every field; return the storable dict.

    A secret left as the mask (or empty) keeps its stored value. Unknown names are refused.
    A text that an upgrade set aside stays until it is discarded.
    """
    fields = {f.name: f for f in schema}
    problems = {name: _("is not a setting of this plugin")
                for name in changes if name not in fields}
    result = {}
    for name, field in fields.items():
        raw = changes.get(name, stored.get(name))
        if field.secret and name in changes and changes[name] in (MASK, "", None):
            raw = stored.get(name)
        try:
            result[name] = to_storable(coerce(field, raw))
        except ValueError as exc:
            problems[name] = str(exc)
    if problems:
        raise SettingsError(plugin, problems)
    if stored.get(SET_ASIDE_KEY):
        result[SET_ASIDE_KEY] = stored[SET_ASIDE_KEY]
    return result


def effective(schema: list[SettingField], stored: dict) -> dict:
    """Settings as plugins read them: stored values typed, defaults for the rest."""
    values = {}
    for field in schema:
        try:
            values[field.name] = coerce(field, stored.get(field.name))
        except ValueError:
            values[field.name] = _fallback(field)
    return values


def _fallback(field: SettingField) -> object:
    """The default, typed (a table's default rows get every column), for a stored value
    that is no longer valid."""
    try:
        return coerce(field, None)
    except ValueError:
        return field.default


def display(field: SettingField, value: object) -> str:
    """A value as an owner reads and types it (a list's items separated by commas)."""
    if field.secret:
        return MASK if value else ""
    if field.type is FieldType.LIST and isinstance(value, list | tuple):
        return ", ".join(display(field.item_field, item) for item in value)
    if field.type is FieldType.MONEY and isinstance(value, int) and not isinstance(value, bool):
        return minor_to_text(value)
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def editable(field: SettingField, value: object) -> object:
    """A value in the JSON form `storefront plugins settings` accepts (money as "12.50")."""
    if field.type is FieldType.LIST and isinstance(value, list | tuple):
        return [display(field.item_field, item) for item in value]
    if field.type is FieldType.TABLE and isinstance(value, list | tuple):
        return [{column.name: editable(column, row.get(column.name, column.default))
                 for column in field.columns} for row in value if isinstance(row, Mapping)]
    return display(field, value)


def set_aside(stored: Mapping) -> dict[str, dict]:
    """Texts an upgrade could not convert, by setting name: {"text": ..., "problem": ...}."""
    kept = stored.get(SET_ASIDE_KEY)
    return dict(kept) if isinstance(kept, Mapping) else {}
