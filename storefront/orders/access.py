from flask import abort
from flask_login import current_user
from sqlalchemy import select

from storefront.extensions import db
from storefront.orders.models import Order


def can_view(order: Order) -> bool:
    """A member's order: that member or staff. A guest's order: whoever holds its link."""
    if order.user_id is None:
        return True
    if not current_user.is_authenticated:
        return False
    return current_user.id == order.user_id or current_user.is_staff


def order_by_token_or_404(token: str) -> Order:
    order = db.session.scalar(select(Order).where(Order.public_token == token))
    if order is None or not can_view(order):
        abort(404)
    return order
