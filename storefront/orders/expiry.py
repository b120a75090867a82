"""Orders left unpaid too long are cancelled, so that nobody holds stock, points or seats
by placing orders they never pay (``UNPAID_ORDER_HOURS``, per payment method).

A bank-transfer order is cancelled here; a card order is first asked of Stripe
(``payments.settle.reconcile``), so that one paid meanwhile is marked paid instead. Either
way the cancellation is the conditional update of ``cancel_order``: racing a late payment,
exactly one of them wins, and what the order held is released once (its ``order.cancelled``
event tells the plugins).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from storefront.extensions import db
from storefront.i18n import deadline_text
from storefront.orders.models import Order, OrderStatus
from storefront.orders.service import cancel_order

BATCH = 500


def deadline(order: Order) -> datetime | None:
    """When an order awaiting payment is cancelled if still unpaid."""
    hours = current_app.config["UNPAID_ORDER_HOURS"].get(order.payment_provider)
    return order.created_at + timedelta(hours=hours) if hours else None


def pay_by(order: Order) -> str:
    """The deadline as the shopper reads it, in their language and the shop's time zone
    ("" if none)."""
    when = deadline(order)
    return deadline_text(when) if when is not None else ""


def expire_unpaid_transfers(now: datetime) -> int:
    """Cancel the bank-transfer orders unpaid past their deadline; returns how many."""
    hours = current_app.config["UNPAID_ORDER_HOURS"]["offline"]
    reason = f"not paid within {_period(hours)}"
    cancelled = 0
    while True:
        ids = db.session.scalars(
            select(Order.id).where(Order.status == OrderStatus.AWAITING_PAYMENT.value,
                                   Order.created_at < now - timedelta(hours=hours),
                                   Order.payment_provider == "offline")
            .order_by(Order.created_at).limit(BATCH)).all()
        for order_id in ids:
            cancelled += cancel_order(order_id, reason)
        if len(ids) < BATCH:
            return cancelled


def _period(hours: int) -> str:
    if hours % 24:
        return f"{hours} hours" if hours != 1 else "1 hour"
    days = hours // 24
    return f"{days} days" if days != 1 else "1 day"
