"""Figures about a member's orders that plugins may read (through hooks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.orders.models import Order, OrderStatus

COUNTED = (OrderStatus.PAID.value, OrderStatus.PARTIALLY_REFUNDED.value,
           OrderStatus.REFUNDED.value)


def net_spend(user_id: int, since: datetime | None = None) -> int:
    query = select(func.coalesce(func.sum(Order.total - Order.refunded_total), 0)).where(
        Order.user_id == user_id, Order.status.in_(COUNTED))
    if since is not None:
        query = query.where(Order.paid_at >= since)
    return int(db.session.scalar(query) or 0)
