"""What every insights page shares: who may see it, and how it writes shares and decimals."""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent
from flask import abort, redirect, request, url_for

from hooks import current_customer, language


def percent(share: float) -> str:
    """A share (0-1) as the reader's language writes a percentage: "42%", "42 %"."""
    return format_percent(share, locale=language())


def decimal(value: float | None) -> str:
    return format_decimal(round(value or 0, 1), locale=language())


def allowed() -> None:
    """Managers and the owner only: 403 for staff and customers, a guest to the login."""
    viewer = current_customer()
    if viewer.id is None:
        abort(redirect(url_for("accounts.login", next=request.path)))
    if not viewer.has_role("manager"):
        abort(403)
