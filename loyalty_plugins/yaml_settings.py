"""Lists of things (tiers, card types) that owners write as YAML in a plugin setting."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def load_list(text: str, what: str) -> list[dict]:
    import yaml  # on the first setting read, not at start-up

    try:
        items = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML: {str(exc).splitlines()[0]}") from exc
    if not isinstance(items, list) or not items:
        raise ValueError(f"must be a list of {what}")
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ValueError(f"{what[:-1]} {number}: must be a mapping")
    return items


def check_fields(item: dict, allowed: set[str], where: str) -> None:
    unknown = set(item) - allowed
    if unknown:
        raise ValueError(f"{where}: unknown field {sorted(unknown)[0]}")


def code_and_name(item: dict, where: str) -> tuple[str, str]:
    code, name = str(item.get("code", "")).strip(), str(item.get("name", "")).strip()
    if not code.isidentifier() or not name:
        raise ValueError(f"{where}: needs a code (a word) and a name")
    return code, name


def amount_in_cents(value: object, where: str, name: str) -> int:
    """An amount written like 300.00 (or 0) as integer minor units."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{where}: {name} must be an amount like 300.00") from exc
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{where}: {name} must be an amount like 300.00")
    return int(amount * 100)


def number_between(value: object, where: str, name: str, low: Decimal,
                   high: Decimal) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{where}: {name} must be a number") from exc
    if not number.is_finite() or not low <= number <= high:
        raise ValueError(f"{where}: {name} must be between {low} and {high}")
    return number


def word_list(value: object, where: str, name: str) -> tuple[str, ...]:
    value = value or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{where}: {name} must be a list of words")
    return tuple(value)
