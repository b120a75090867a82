"""Bring an order in line with its PaymentIntent as Stripe reports it.

Called from the webhook, the shopper's return page and `storefront payments reconcile`, in
any order and any number of times: the order is fulfilled or cancelled at most once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import StrEnum

import stripe
from sqlalchemy import exists, select, update

from storefront.extensions import db
from storefront.orders.disputes import record_dispute
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
    NEEDS_ACTION = "waiting for the shopper's bank"
    UNKNOWN = "unknown payment"
    MISMATCH = "amount mismatch"
    REFUNDED_LATE = "refunded: order was already cancelled"


# A PaymentIntent in these states has not taken money and can still be cancelled.
UNPAID_STATUSES = ("requires_payment_method", "requires_confirmation", "requires_action")


def _payment(intent_id: str) -> Payment | None:
    return db.session.scalar(select(Payment).where(Payment.provider_ref == intent_id))


def settle_intent(gateway: StripeGateway, intent_id: str, failed_event: bool = False) -> Outcome:
    payment = _payment(intent_id)
    if payment is None:
        return Outcome.UNKNOWN
    intent = gateway.retrieve(intent_id)  # the source of truth, whatever the event said
    recorded = {"status": intent.status}
    if intent.status == "succeeded" and payment.card_fingerprint is None:
        recorded["card_fingerprint"] = gateway.card_fingerprint(intent)
    db.session.execute(update(Payment).where(Payment.id == payment.id).values(**recorded))
    db.session.commit()
    order = db.session.get(Order, payment.order_id)
    if intent.status == "succeeded":
        # Since stripe 15 a StripeObject is no dict (.get() raises); getattr for absent fields.
        received = getattr(intent, "amount_received", None) or intent.amount
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
    if intent.status == "canceled" or (failed_event and intent.status in UNPAID_STATUSES):
        if intent.status != "canceled":
            gateway.cancel(intent_id)  # so it cannot succeed after we released the stock
        cancelled = cancel_order(order.id, "payment failed")
        return Outcome.CANCELLED if cancelled else Outcome.ALREADY_SETTLED
    return Outcome.NEEDS_ACTION if intent.status == "requires_action" else Outcome.PENDING


def record_stripe_refund(gateway: StripeGateway, refund: stripe.Refund) -> bool:
    if refund.status not in ("succeeded", "pending"):
        return False
    payment = _payment(refund.payment_intent)
    if payment is None:
        return False
    status = db.session.scalar(select(Order.status).where(Order.id == payment.order_id))
    if status == OrderStatus.AWAITING_PAYMENT:
        # Stripe does not order its events: the refund may be announced before the payment
        # it refunds. Settle the payment first, or the refund would be dropped for good.
        settle_intent(gateway, refund.payment_intent)
    reason = getattr(refund, "reason", None) or "refunded in Stripe"
    return record_refund(payment.order_id, refund.id, refund.amount, reason=reason,
                         actor="stripe")


def record_stripe_dispute(gateway: StripeGateway, dispute: stripe.Dispute) -> str | None:
    """A dispute event: recorded for the order it concerns (see orders.disputes)."""
    intent_id = getattr(dispute, "payment_intent", None)
    if not intent_id and getattr(dispute, "charge", None):
        intent_id = gateway.intent_of_charge(dispute.charge)
    payment = _payment(intent_id) if intent_id else None
    if payment is None:
        log.warning("dispute %s concerns no payment of this shop; ignored", dispute.id)
        return None
    status = db.session.scalar(select(Order.status).where(Order.id == payment.order_id))
    if status == OrderStatus.AWAITING_PAYMENT:
        settle_intent(gateway, intent_id)  # as for refunds: the payment's news may be late
    return record_dispute(payment.order_id, dispute.id, dispute.amount, dispute.status,
                          reason=getattr(dispute, "reason", None) or "")


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
            waiting = outcome in (Outcome.PENDING, Outcome.NEEDS_ACTION)
            if waiting and utcnow() - created_at > abandon_after:
                outcome = settle_intent(gateway, intent_id, failed_event=True)
        except stripe.StripeError as exc:
            log.error("reconcile %s: %s", intent_id, exc)
            outcome = "error"
        counts[str(outcome)] = counts.get(str(outcome), 0) + 1
    # Orders whose shopper left before the pay page created a PaymentIntent.
    stale = db.session.scalars(
        select(Order.id)
        .where(Order.status == OrderStatus.AWAITING_PAYMENT.value,
               Order.payment_provider == "stripe",
               Order.created_at < utcnow() - abandon_after,
               ~exists().where(Payment.order_id == Order.id))
        .order_by(Order.id)
    ).all()
    for order_id in stale:
        outcome = (Outcome.CANCELLED if cancel_order(order_id, "payment abandoned")
                   else Outcome.ALREADY_SETTLED)
        counts[str(outcome)] = counts.get(str(outcome), 0) + 1
    return counts
