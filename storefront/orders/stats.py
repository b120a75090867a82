"""Figures about a member's orders that plugins may read (through hooks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Subquery, func, select

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


# Paid orders, and the history imported from another shop (storefront import orders).
BOUGHT = (*COUNTED, OrderStatus.IMPORTED.value)


def order_history() -> Subquery:
    """Every order a customer paid for (or that was imported as history), one row each, for
    figures over many orders: ``order_id``, ``customer`` (the e-mail address in lower case:
    the one key that guests, members and imported history share), ``user_id`` (None for a
    guest), ``placed_at`` (naive UTC), ``total``, ``refunded``, ``net`` and ``shipping`` (the
    shipping fee paid in the total; minor units), ``discount`` (what discounts took off it,
    minor units), ``payment`` (the payment provider: ``stripe``, ``offline`` for a bank
    transfer, ``import``), ``cost`` (its cost of goods, minor units: the lines' unit costs
    kept when it was placed or imported times their quantities; None when no line has a
    cost) and ``uncosted_lines`` (how many of its lines have no cost and so count nothing in
    ``cost``)."""
    order = Order.__table__.c
    return (select(order.id.label("order_id"), order.customer,
                   order.user_id, order.created_at.label("placed_at"), order.total,
                   order.refunded_total.label("refunded"),
                   (order.total - order.refunded_total).label("net"), order.shipping,
                   order.discount_total.label("discount"),
                   order.payment_provider.label("payment"), order.cost_total.label("cost"),
                   order.uncosted_lines)
            .where(order.status.in_(BOUGHT)).subquery("order_history"))
