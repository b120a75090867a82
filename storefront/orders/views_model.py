"""Orders as plugins see them (hooks.OrderView): read-only copies, no ORM objects."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from sqlalchemy import select

from hooks.types import AppliedView, OrderLineView, OrderView
from storefront.extensions import db
from storefront.orders.models import Order, Payment


def delivery_key(address: str) -> str:
    """A delivery address as a hash that is the same however it was typed: case, accents,
    punctuation and spacing do not count ("1 Main St." and "1 main st" are one address).
    "" for no address."""
    plain = "".join(char for char in unicodedata.normalize("NFKD", address.casefold())
                    if not unicodedata.combining(char))
    words = re.findall(r"\w+", plain)
    if not words:
        return ""
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def card_fingerprint(order_id: int) -> str | None:
    return db.session.scalar(select(Payment.card_fingerprint).where(
        Payment.order_id == order_id, Payment.card_fingerprint.is_not(None))
        .order_by(Payment.id.desc()).limit(1))


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
        delivery_key=delivery_key(order.address or ""),
        card_fingerprint=card_fingerprint(order.id) if order.payment_provider == "stripe"
        else None,
    )


def order_view(order_id: int) -> OrderView | None:
    order = db.session.get(Order, order_id)
    return to_view(order) if order is not None else None
