"""Who reads the page: the customer view plugins receive (``hooks.types.CustomerView``)."""

from __future__ import annotations

from flask_login import current_user

from hooks.types import CustomerView


def customer_view() -> CustomerView:
    if current_user.is_authenticated:
        return CustomerView(current_user.id, current_user.email, current_user.name,
                            current_user.role, current_user.created_at)
    return CustomerView(None)
