"""Plugin settings: coerce and validate raw values (from a form or the CLI) against a schema."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from hooks.types import FieldType, SettingField
from storefront.money import minor_to_text, parse_money

MASK = "••••••••"
TRUE_WORDS = {"1", "true", "yes", "on", "y"}
FALSE_WORDS = {"0", "false", "no", "off", "n", ""}


class SettingsError(ValueError):
    """Maps field name -> problem; str() names every field."""

    def __init__(self, plugin: str, problems: dict[str, str]):
        self.plugin, self.problems = plugin, problems
        super().__init__("; ".join(f"{plugin}.{f}: {p}" for f, p in problems.items()))


def coerce(field: SettingField, raw: object) -> object:
    """One value, from text or a Python value, to the field's type; ValueError if invalid."""
    if raw is None or (isinstance(raw, str) and raw.strip() == "" and
                       field.type is not FieldType.BOOLEAN):
        if field.required:
            raise ValueError("is required")
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
        raise ValueError("must be true or false")
    if kind is FieldType.INTEGER:
        if isinstance(raw, bool):
            raise ValueError("must be a whole number")
        try:
            value = int(str(raw).strip())
        except ValueError as exc:
            raise ValueError("must be a whole number") from exc
    elif kind is FieldType.DECIMAL:
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation as exc:
            raise ValueError("must be a number like 1.5") from exc
        if not value.is_finite():
            raise ValueError("must be a number like 1.5")
    elif kind is FieldType.MONEY:
        value = raw if isinstance(raw, int) and not isinstance(raw, bool) else parse_money(raw)
    elif kind is FieldType.CHOICE:
        value = str(raw).strip()
        if value not in field.choices:
            raise ValueError(f"must be one of {', '.join(field.choices)}")
        return value
    else:
        value = str(raw)
        if len(value) > 20000:
            raise ValueError("is longer than 20000 characters")
        return _checked(field, value)
    if field.min is not None and value < field.min:
        raise ValueError(f"must be at least {field.min}")
    if field.max is not None and value > field.max:
        raise ValueError(f"must be at most {field.max}")
    return _checked(field, value)


def _checked(field: SettingField, value: object) -> object:
    if field.validator is not None:
        field.validator(value)  # raises ValueError naming the problem
    return value


def to_storable(value: object) -> object:
    return str(value) if isinstance(value, Decimal) else value


def validate(plugin: str, schema: list[SettingField], stored: dict, changes: dict) -> dict:
    """Merge ``changes`` into ``stored`` and validate every field; return the storable dict.

    A secret left as the mask (or empty) keeps its stored value. Unknown names are refused.
    """
    fields = {f.name: f for f in schema}
    problems = {name: "is not a setting of this plugin" for name in changes if name not in fields}
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
    return result


def effective(schema: list[SettingField], stored: dict) -> dict:
    """Settings as plugins read them: stored values typed, defaults for the rest."""
    values = {}
    for field in schema:
        try:
            values[field.name] = coerce(field, stored.get(field.name))
        except ValueError:
            values[field.name] = field.default
    return values


def display(field: SettingField, value: object) -> str:
    if field.secret:
        return MASK if value else ""
    if field.type is FieldType.MONEY and isinstance(value, int):
        return minor_to_text(value)
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)
