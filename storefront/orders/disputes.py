"""Card disputes (chargebacks and inquiries) on paid orders.

The provider tells the shop when a card holder disputes a payment and how it ends. The shop
records each dispute once per provider id and tells plugins when its phase changes: ``open``
(what the order gave, such as points, should be held), then ``won`` (give it back) or
``lost`` (the money went back to the card holder: recorded as a refund of the disputed
amount, so ``shop_order_refunded`` follows and plugins reverse what they gave). Events may
come twice or out of order: a phase only moves forward (open to won or lost, never back),
and each move is one conditional update, so concurrent deliveries act once.
"""

from __future__ import annotations

import logging

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from storefront import events
from storefront.extensions import db
from storefront.orders.models import Dispute, Refund
from storefront.orders.service import record_refund
from storefront.timeutil import utcnow

log = logging.getLogger(__name__)

OPEN, WON, LOST = "open", "won", "lost"
# Stripe's dispute statuses; "warning_*" are inquiries, which take no money unless they
# turn into a chargeback (a new status of the same dispute).
_CLOSED = {"won": WON, "warning_closed": WON, "lost": LOST}


def phase_of(status: str) -> str:
    return _CLOSED.get(status, OPEN)


def record_dispute(order_id: int, dispute_ref: str, amount: int, status: str,
                   reason: str = "") -> str | None:
    """Record what the provider says of a dispute; the new phase, or None if it did not
    change (a replay, an update within the same phase, or news older than what we know)."""
    phase = phase_of(status)
    changed = _record(order_id, dispute_ref, amount, status, reason, phase)
    if phase == LOST:  # also on a replay: the refund may be what a crash left unrecorded
        _refund_lost(order_id, dispute_ref, amount)
    return phase if changed else None


def _record(order_id: int, dispute_ref: str, amount: int, status: str, reason: str,
            phase: str) -> bool:
    closed_at = None if phase == OPEN else utcnow()
    if db.session.get(Dispute, dispute_ref) is None:
        try:
            db.session.add(Dispute(provider_ref=dispute_ref, order_id=order_id, amount=amount,
                                   status=status[:32], phase=phase, reason=reason[:64],
                                   closed_at=closed_at))
            db.session.flush()
            _announce(order_id, dispute_ref, amount, phase)
            db.session.commit()
            return True
        except IntegrityError:  # a concurrent delivery recorded it first
            db.session.rollback()
    values = {"status": status[:32], "amount": amount}
    if phase == OPEN:
        db.session.execute(update(Dispute).where(Dispute.provider_ref == dispute_ref,
                                                 Dispute.phase == OPEN).values(**values))
        db.session.commit()
        return False
    closed = db.session.execute(
        update(Dispute).where(Dispute.provider_ref == dispute_ref, Dispute.phase == OPEN)
        .values(phase=phase, closed_at=closed_at, **values)).rowcount
    if closed:
        _announce(order_id, dispute_ref, amount, phase)
    db.session.commit()
    return bool(closed)


def _announce(order_id: int, dispute_ref: str, amount: int, phase: str) -> None:
    events.record("order.disputed", aggregate_type="order", aggregate_id=order_id,
                  payload={"order_id": order_id, "dispute_id": dispute_ref, "amount": amount,
                           "status": phase})


def _refund_lost(order_id: int, dispute_ref: str, amount: int) -> None:
    if record_refund(order_id, dispute_ref, amount, reason="card dispute lost",
                     actor="card holder"):
        return
    if db.session.scalar(select(Refund.id).where(Refund.provider_ref == dispute_ref)) is None:
        log.error("dispute %s on order %s was lost but its %s could not be recorded as a "
                  "refund (more than what is left of the order?)", dispute_ref, order_id,
                  amount)


def disputes_of(order_id: int) -> list[Dispute]:
    return list(db.session.scalars(select(Dispute).where(Dispute.order_id == order_id)
                                   .order_by(Dispute.created_at)))
