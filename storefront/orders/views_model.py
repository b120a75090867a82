"""Orders as plugins see them (hooks.OrderView): read-only copies, no ORM objects."""

from __future__ import annotations

from hooks.types import AppliedView, OrderLineView, OrderView
from storefront.extensions import db
from storefront.orders.models import Order


def to_view(order: Order) -> OrderView:
    return OrderView(
        id=order.id, number=order.number, status=order.status, user_id=order.user_id,
        email=order.email, currency=order.currency, subtotal=order.subtotal,
        shipping=order.shipping, discount_total=order.discount_total, total=order.total,
        refunded_total=order.refunded_total,
        lines=tuple(OrderLineView(ln.product_id, ln.sku, ln.title, ln.unit_price, ln.quantity,
                                  ln.total) for ln in order.lines),
        adjustments=tuple(AppliedView(a.plugin, a.code, a.label, a.phase, a.amount)
                          for a in order.adjustments),
    )


def order_view(order_id: int) -> OrderView | None:
    order = db.session.get(Order, order_id)
    return to_view(order) if order is not None else None
