"""Bring an order in line with its PaymentIntent as Stripe reports it.

Called from the webhook, the shopper's return page and `storefront payments reconcile`, in
any order and any number of times: the order is fulfilled or cancelled at most once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import StrEnum

import stripe
from sqlalchemy import select, update

from storefront.extensions import db
from storefront.orders.models import Order, OrderStatus, Payment
from storefront.orders.service import cancel_order, mark_paid, record_refund
from storefront.payments.stripe_gateway import StripeGateway
from storefront.timeutil import utcnow

log = logging.getLogger(__name__)


class Outcome(StrEnum):
    PAID = "paid"
    ALREADY_SETTLED = "already settled"
    CANCELLED = "cancelled"
    PENDING = "pending"
    UNKNOWN = "unknown payment"
    MISMATCH = "amount mismatch"
    REFUNDED_LATE = "refunded: order was already cancelled"


def _payment(intent_id: str) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.provider_ref == intent_id))


def settle_intent(gateway: StripeGateway, intent_id: str, failed_event: bool = False) -> Outcome:
    payment = _payment(intent_id)
    if payment is None:
        return Outcome.UNKNOWN
    intent = gateway.retrieve(intent_id)  # the source of truth, whatever the event said
    db.session.execute(update(Payment).where(Payment.id == payment.id)
                       .values(status=intent.status))
    db.session.commit()
    order = db.session.get(Order, payment.order_id)
    if intent.status == "succeeded":
        received = intent.get("amount_received") or intent.amount
        if received != order.total or intent.currency.upper() != order.currency.upper():
            log.error("PaymentIntent %s paid %s %s for order %s of %s %s; not fulfilled",
                      intent_id, received, intent.currency, order.number, order.total,
                      order.currency)
            return Outcome.MISMATCH
        if mark_paid(order.id):
            return Outcome.PAID
        db.session.refresh(order)
        if order.status == OrderStatus.CANCELLED:
            # The stock went back on the shelf: give the money back rather than hold it.
            gateway.refund(order, received, f"storefront-late-{intent_id}")
            log.warning("order %s was cancelled before its payment succeeded; refunded",
                        order.number)
            return Outcome.REFUNDED_LATE
        return Outcome.ALREADY_SETTLED
    if intent.status == "canceled" or (failed_event and intent.status ==
                                       "requires_payment_method"):
        if intent.status != "canceled":
            gateway.cancel(intent_id)  # so it cannot succeed after we released the stock
        cancelled = cancel_order(order.id, "payment failed")
        return Outcome.CANCELLED if cancelled else Outcome.ALREADY_SETTLED
    return Outcome.PENDING


def record_stripe_refund(gateway: StripeGateway, refund: stripe.Refund) -> bool:
    if refund.status not in ("succeeded", "pending"):
        return False
    payment = _payment(refund.payment_intent)
    if payment is None:
        return False
    return record_refund(payment.order_id, refund.id, refund.amount,
                         reason=refund.get("reason") or "refunded in Stripe", actor="stripe")


def reconcile(gateway: StripeGateway, abandon_after: timedelta) -> dict[str, int]:
    """Settle every Stripe order still awaiting payment; cancel the long abandoned ones."""
    counts: dict[str, int] = {}
    rows = db.session.execute(
        select(Payment.provider_ref, Order.created_at)
        .join(Order, Order.id == Payment.order_id)
        .where(Order.status == OrderStatus.AWAITING_PAYMENT.value, Payment.provider == "stripe")
        .order_by(Order.id)
    ).all()
    for intent_id, created_at in rows:
        try:
            outcome = settle_intent(gateway, intent_id)
            if outcome is Outcome.PENDING and utcnow() - created_at > abandon_after:
                outcome = settle_intent(gateway, intent_id, failed_event=True)
        except stripe.StripeError as exc:
            log.error("reconcile %s: %s", intent_id, exc)
            outcome = "error"
        counts[str(outcome)] = counts.get(str(outcome), 0) + 1
    return counts
