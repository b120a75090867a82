"""Money helpers: integer minor units everywhere; Decimal only at the edges."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import format_currency


@lru_cache(maxsize=4096)  # a page shows the same few prices; Babel takes ~15 µs for each
def format_money(minor: int, currency: str = "EUR", language: str = "en") -> str:
    """``minor`` units as ``language`` writes an amount of ``currency``: "€1,234.50" in
    English, "1.234,50 €" in Spanish (CLDR's patterns and symbols, through Babel)."""
    return format_currency(Decimal(minor).scaleb(-2), currency.upper(), locale=language)


def parse_money(value: object) -> int:
    """Parse '12.50', 12.5 or 12 (major units) into minor units; reject fractions of a cent."""
    if isinstance(value, bool):
        raise ValueError("must be an amount like 12.50")
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValueError("must be an amount like 12.50") from exc
    if not amount.is_finite():
        raise ValueError("must be an amount like 12.50")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("has more than two decimal places")
    if amount < 0:
        raise ValueError("must not be negative")
    return int(amount * 100)


def percent_of(base: int, percent: Decimal) -> int:
    """``percent`` % of ``base`` minor units, rounded half up to a whole minor unit."""
    return int((Decimal(base) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def minor_to_text(minor: int) -> str:
    """12345 -> '123.45': the form an owner types into a field (no symbol, no separators)."""
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), 100)
    return f"{sign}{units}.{cents:02d}"
