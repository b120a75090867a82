"""Who may open a member's things (cards, tickets, a plugin's rows): the member, or staff.
Anyone else gets a 404, so that nobody learns what exists."""

from __future__ import annotations

from flask import abort

from hooks.api import current_customer, session
from hooks.types import CustomerView


def owned_or_404(model, row_id: int):
    """The row of ``model`` (which has a ``user_id``) if the shopper owns it or is staff."""
    viewer = current_customer()
    row = session().get(model, row_id)
    if row is None or not viewer.is_member or (
            row.user_id != viewer.id and not viewer.has_role("staff")):
        abort(404)
    return row


def require_role(role: str) -> CustomerView:
    """The current shopper if they have ``role`` or one above it; a 404 otherwise."""
    viewer = current_customer()
    if not viewer.has_role(role):
        abort(404)
    return viewer
