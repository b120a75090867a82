from __future__ import annotations

import re
import secrets
from datetime import datetime
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hooks.text import ngettext
from storefront.extensions import db
from storefront.timeutil import utcnow


class OrderStatus(StrEnum):
    AWAITING_PAYMENT = "awaiting_payment"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"
    CANCELLED = "cancelled"
    IMPORTED = "imported"  # history from another shop (storefront import orders)


STATUS_LABELS = {
    OrderStatus.AWAITING_PAYMENT: lazy_gettext("Awaiting payment"),
    OrderStatus.PAID: lazy_gettext("Paid"),
    OrderStatus.PARTIALLY_REFUNDED: lazy_gettext("Partly refunded"),
    OrderStatus.REFUNDED: lazy_gettext("Refunded"),
    OrderStatus.CANCELLED: lazy_gettext("Cancelled"),
    OrderStatus.IMPORTED: lazy_gettext("Imported"),
}

# The reasons the shop itself gives when it cancels an order (orders.expiry, payments.settle,
# admin), kept in English in ``cancel_reason``: the shopper reads them in their language.
_UNPAID_WITHIN = re.compile(r"not paid within (\d+) (hour|day)s?")
_CANCELLED_BY = re.compile(r"cancelled by (.+)")


def cancel_reason_text(reason: str) -> str:
    """A cancellation reason as the shopper reads it; one the shop does not know, as it is."""
    if reason == "payment failed":
        return _("payment failed")
    if reason == "payment abandoned":
        return _("payment abandoned")
    if unpaid := _UNPAID_WITHIN.fullmatch(reason):
        num = int(unpaid[1])
        if unpaid[2] == "hour":
            return ngettext("not paid within %(num)s hour", "not paid within %(num)s hours", num)
        return ngettext("not paid within %(num)s day", "not paid within %(num)s days", num)
    if by := _CANCELLED_BY.fullmatch(reason):
        return _("cancelled by %(who)s", who=by[1])
    return reason


def customer_key(context) -> str:
    """Who the order belongs to for figures over many orders: its e-mail address in lower
    case, the one key that guests, members and imported history share."""
    return context.get_current_parameters()["email"].strip().lower()


# The index of ``hooks.order_history()``: each customer's orders in date order, with the
# columns figures read, so RFM and repurchase are counted from the index alone, in customer
# order, without a sort, on both databases (bench_insights.py).
HISTORY_INDEX = ("customer", "created_at", "id", "status", "total", "refunded_total",
                 "user_id", "payment_provider", "discount_total", "shipping")


class Order(db.Model):
    __tablename__ = "shop_order"
    __table_args__ = (
        CheckConstraint("total >= 0", name="total_not_negative"),
        CheckConstraint("refunded_total >= 0 AND refunded_total <= total", name="refund_bounds"),
        # The expiry job's look for orders left unpaid too long.
        Index("ix_shop_order_status_created_at", "status", "created_at"),
        Index("ix_shop_order_customer_history", *HISTORY_INDEX),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unguessable: the guest's link to their order and the base of payment idempotency keys.
    public_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=lambda: secrets.token_urlsafe(24)
    )
    # The cart's checkout token: a second submission of the same form finds this order.
    checkout_token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), index=True, default=None
    )
    email: Mapped[str] = mapped_column(String(254))
    customer: Mapped[str] = mapped_column(String(254), default=customer_key)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(24), default=OrderStatus.AWAITING_PAYMENT.value)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column()
    discount_total: Mapped[int] = mapped_column(default=0)
    shipping: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column()
    refunded_total: Mapped[int] = mapped_column(default=0)
    payment_provider: Mapped[str] = mapped_column(String(16))
    pricing_trace: Mapped[list] = mapped_column(JSON, default=list)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    # The language the shopper ordered in: the order's mail to a guest is written in it.
    language: Mapped[str] = mapped_column(String(8), default="")
    # Its number in the shop it was imported from (storefront import orders), else None.
    external_ref: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    # Its cost of goods, minor units: the lines' known unit costs times their quantities (or
    # the cost an import gave for the whole order); None when no line has a cost. Lines
    # without one count nothing here and are counted in ``uncosted_lines``.
    cost_total: Mapped[int | None] = mapped_column(default=None)
    uncosted_lines: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    paid_at: Mapped[datetime | None] = mapped_column(default=None)
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)

    lines: Mapped[list[OrderLine]] = relationship(
        cascade="all, delete-orphan", order_by="OrderLine.id"
    )
    adjustments: Mapped[list[OrderAdjustment]] = relationship(
        cascade="all, delete-orphan", order_by="OrderAdjustment.id"
    )
    payments: Mapped[list[Payment]] = relationship(order_by="Payment.id")
    refunds: Mapped[list[Refund]] = relationship(order_by="Refund.id")

    @property
    def number(self) -> str:
        return f"SF-{self.id:06d}"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[OrderStatus(self.status)])

    @property
    def cancel_reason_text(self) -> str:
        return cancel_reason_text(self.cancel_reason)

    @property
    def price_explanation(self) -> list[dict]:
        """The pricing trace in the shopper's words: what applied, and what did not, why."""
        labels = {f"{t['plugin']}:{t['code']}": t.get("label", t["code"])
                  for t in self.pricing_trace or []}
        notes = []
        for step in self.pricing_trace or []:
            outcome = step.get("outcome", "applied")
            if outcome in ("applied", "limited"):
                note = "" if outcome == "applied" else _("limited by the shop's rules")
            else:
                key = outcome.rsplit(" ", 1)[-1]
                rival = labels[key] if key in labels else _("another offer")
                note = _("not combined with %(offer)s, which saves you more", offer=rival)
            notes.append({"label": step.get("label", step["code"]), "amount": step["applied"],
                          "note": note, "reason": step.get("reason", "")})
        return notes

    @property
    def refundable(self) -> int:
        if self.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
            return 0
        return self.total - self.refunded_total

    def is_placed_by(self, user_id: int, email: str) -> bool:
        """Whether the order is this person's: placed from their account, or as a guest
        with their e-mail address."""
        return self.user_id == user_id or self.email.strip().lower() == email.strip().lower()


class OrderLine(db.Model):
    __tablename__ = "order_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"))
    # None: an imported line whose SKU the catalogue does not sell.
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id"))
    sku: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    unit_price: Mapped[int] = mapped_column()
    unit_cost: Mapped[int | None] = mapped_column(default=None)  # the product's cost then
    quantity: Mapped[int] = mapped_column()
    discount: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column()


class OrderAdjustment(db.Model):
    """An adjustment the resolver applied, kept forever: who gave what, and why."""

    __tablename__ = "order_adjustment"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id", ondelete="CASCADE"))
    plugin: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    phase: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column()  # applied discount in minor units (negative: surcharge)
    reason: Mapped[str] = mapped_column(String(300), default="")


class Payment(db.Model):
    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    provider_ref: Mapped[str] = mapped_column(String(128), unique=True)
    amount: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(32))
    client_secret: Mapped[str] = mapped_column(String(255), default="")
    # The provider's fingerprint of the card that paid (the same for the same card number),
    # recorded when the payment succeeds; None for other ways of paying.
    card_fingerprint: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Refund(db.Model):
    __tablename__ = "refund"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    provider_ref: Mapped[str] = mapped_column(String(128), unique=True)
    amount: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Dispute(db.Model):
    """A card holder's chargeback or inquiry on an order's payment, once per provider id.

    ``phase`` is what the shop acts on: ``open`` until the provider closes it, then ``won``
    (the money stays) or ``lost`` (it went back to the card holder, recorded as a refund)."""

    __tablename__ = "dispute"

    provider_ref: Mapped[str] = mapped_column(String(128), primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("shop_order.id"), index=True)
    amount: Mapped[int] = mapped_column()
    status: Mapped[str] = mapped_column(String(32))  # the provider's own word
    phase: Mapped[str] = mapped_column(String(8))  # open | won | lost
    reason: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class WebhookEvent(db.Model):
    """Provider events already processed; the primary key makes replays no-ops."""

    __tablename__ = "webhook_event"

    event_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
