"""Every change to a member's points goes through here, inside the caller's transaction.

Each operation first takes the member's account lock (an UPDATE of the account row: a row
lock on PostgreSQL, the write lock on SQLite), then reads and writes lots and entries, and
moves the cached balance by exactly the entries it writes. So concurrent requests, jobs and
webhooks for one member run one after another, the cache always equals the ledger, and no
balance goes negative (the database refuses it too: CHECK constraints).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from hooks import dialect_insert, emit, get_order, ngettext, number, session
from loyalty_plugins.points.clock import expiry_for
from loyalty_plugins.points.config import PointsConfig
from loyalty_plugins.points.models import PointsAccount, PointsEntry, PointsLot, PointsReversal


class PointsError(ValueError):
    """The operation is not possible (e.g. not enough points); the message is for people."""


@dataclass(frozen=True)
class Who:
    """Why and by whom, stored in English as the audit trail. Pages show the plugin's own
    reasons and actors in the reader's language (describe.py recognises them by the entry's
    kind and key): a change of wording here goes there too."""

    reason: str
    actor: str = "system"


def lock_account(user_id: int) -> PointsAccount:
    db = session()
    insert = dialect_insert(db)
    db.execute(insert(PointsAccount).values(user_id=user_id, available=0, pending=0,
                                            reserved=0, version=0)
               .on_conflict_do_nothing(index_elements=["user_id"]))
    db.execute(update(PointsAccount).where(PointsAccount.user_id == user_id)
               .values(version=PointsAccount.version + 1))
    return db.get(PointsAccount, user_id, populate_existing=True)


def order_label(order_id: int) -> str:
    """How a member knows the order: its number (SF-000123), never the shop's row id."""
    order = get_order(order_id)
    return order.number if order is not None else f"#{order_id}"


def _seen(key: str) -> bool:
    return session().scalar(select(PointsEntry.id).where(PointsEntry.key == key)) is not None


def _entry(account: PointsAccount, bucket: str, delta: int, kind: str, who: Who, *,
           lot: PointsLot | None = None, order_id: int | None = None,
           key: str | None = None, now: datetime) -> None:
    session().add(PointsEntry(user_id=account.user_id, lot_id=lot.id if lot else None,
                              bucket=bucket, delta=delta, kind=kind, order_id=order_id,
                              key=key, reason=who.reason[:300], actor=who.actor[:254],
                              created_at=now))
    setattr(account, bucket, getattr(account, bucket) + delta)


def grant(user_id: int, points: int, source: str, who: Who, cfg: PointsConfig, *, now: datetime,
          key: str | None = None, order_id: int | None = None,
          pending_until: datetime | None = None) -> PointsLot | None:
    """Give points: pending until ``pending_until`` (if later than now), else usable now.
    Returns None when ``key`` was already used (a replay)."""
    if points <= 0:
        raise PointsError("points to grant must be more than 0")
    account = lock_account(user_id)
    if key and _seen(key):
        return None
    pending = pending_until is not None and pending_until > now
    available_at = pending_until if pending else now
    lot = PointsLot(user_id=user_id, source=source, order_id=order_id, amount=points,
                    remaining=points, state="pending" if pending else "available",
                    available_at=available_at,
                    expires_at=expiry_for(available_at, cfg.expiry_months, cfg.tz),
                    created_at=now)
    session().add(lot)
    session().flush()
    _entry(account, "pending" if pending else "available", points, source, who, lot=lot,
           order_id=order_id, key=key, now=now)
    emit("points.earned", aggregate_type="customer", aggregate_id=user_id,
         payload={"user_id": user_id, "points": points, "source": source, "order_id": order_id,
                  "available_on": available_at.date().isoformat()})
    return lot


def hold_for_guest(email: str, points: int, order_id: int, cfg: PointsConfig, *,
                   now: datetime, pending_until: datetime) -> PointsLot | None:
    """Points of a guest order, kept for its email until a verified account claims them."""
    db = session()
    if db.scalar(select(PointsLot.id).where(PointsLot.order_id == order_id,
                                            PointsLot.source == "earn")):
        return None
    lot = PointsLot(user_id=None, email=email, source="earn", order_id=order_id, amount=points,
                    remaining=points, state="held", available_at=pending_until,
                    expires_at=expiry_for(pending_until, cfg.expiry_months, cfg.tz),
                    created_at=now)
    db.add(lot)
    return lot


def claim_guest_points(user_id: int, email: str, *, now: datetime) -> int:
    """Move the points held for ``email`` to the member's account; returns how many."""
    account = lock_account(user_id)
    lots = session().scalars(select(PointsLot).where(
        PointsLot.user_id.is_(None), PointsLot.email == email, PointsLot.state == "held",
        PointsLot.remaining > 0).with_for_update()).all()
    total = 0
    for lot in lots:
        lot.user_id = user_id
        lot.state = "pending" if lot.available_at > now else "available"
        _entry(account, lot.state, lot.remaining, "claim",
               Who(f"points of guest order {order_label(lot.order_id)} for {email}"), lot=lot,
               order_id=lot.order_id, key=f"claim:{lot.id}", now=now)
        total += lot.remaining
    return total


def mature(now: datetime) -> int:
    """Pending lots whose return window closed become usable."""
    due = session().execute(select(PointsLot.id, PointsLot.user_id).where(
        PointsLot.state == "pending", PointsLot.available_at <= now,
        PointsLot.user_id.is_not(None)).order_by(PointsLot.user_id, PointsLot.id)).all()
    for lot_id, user_id in due:
        account = lock_account(user_id)
        lot = session().get(PointsLot, lot_id, populate_existing=True)
        if lot.state != "pending":
            continue
        lot.state = "available"
        who = Who("the return window closed")
        _entry(account, "pending", -lot.remaining, "mature", who, lot=lot,
               order_id=lot.order_id, now=now)
        _entry(account, "available", lot.remaining, "mature", who, lot=lot,
               order_id=lot.order_id, key=f"mature:{lot.id}", now=now)
    return len(due)


def _expire_lots(account: PointsAccount, now: datetime) -> int:
    lots = session().scalars(select(PointsLot).where(
        PointsLot.user_id == account.user_id, PointsLot.state == "available",
        PointsLot.remaining > 0, PointsLot.expires_at.is_not(None),
        PointsLot.expires_at <= now).order_by(PointsLot.id)).all()
    expired = sum(lot.remaining for lot in lots)
    for lot in lots:
        _entry(account, "available", -lot.remaining, "expire",
               Who(f"points usable from {lot.available_at:%Y-%m-%d} expired"), lot=lot,
               order_id=lot.order_id, now=now)
        lot.remaining = 0
        lot.state = "expired"
    if expired:
        emit("points.expired", aggregate_type="customer", aggregate_id=account.user_id,
             payload={"user_id": account.user_id, "points": expired})
    return len(lots)


def expire(now: datetime) -> int:
    """Expire every lot whose date has come (only what is left of it)."""
    users = session().scalars(select(PointsLot.user_id).where(
        PointsLot.state == "available", PointsLot.remaining > 0,
        PointsLot.expires_at.is_not(None), PointsLot.expires_at <= now,
        PointsLot.user_id.is_not(None)).distinct()).all()
    return sum(_expire_lots(lock_account(user_id), now) for user_id in sorted(users))


def _usable_lots(user_id: int) -> list[PointsLot]:
    return list(session().scalars(select(PointsLot).where(
        PointsLot.user_id == user_id, PointsLot.state == "available", PointsLot.remaining > 0)
        .order_by(PointsLot.expires_at.is_(None), PointsLot.expires_at, PointsLot.id)))


def _take(account: PointsAccount, points: int, kind: str, who: Who, *, now: datetime,
          order_id: int | None = None, first: PointsLot | None = None) -> int:
    """Take up to ``points`` from usable lots, soonest expiry first; returns how many."""
    lots = _usable_lots(account.user_id)
    if first is not None and first in lots:
        lots.remove(first)
        lots.insert(0, first)
    taken = 0
    for lot in lots:
        part = min(lot.remaining, points - taken)
        if part <= 0:
            break
        lot.remaining -= part
        _entry(account, "available", -part, kind, who, lot=lot, order_id=order_id, now=now)
        taken += part
    return taken


def reserve(user_id: int, points: int, order_id: int, *, now: datetime,
            order_number: str = "") -> None:
    """Hold points for an unpaid order, atomically; PointsError if there are not enough."""
    account = lock_account(user_id)
    _expire_lots(account, now)  # never spend points whose date has passed
    if account.available < points:
        raise PointsError(ngettext(
            "You have %(num)s point, not the %(points)s you chose. Please review your checkout.",
            "You have %(num)s points, not the %(points)s you chose. Please review your checkout.",
            account.available, points=number(points)))
    who = Who(f"redeemed on order {order_number or order_label(order_id)}", "shopper")
    _take(account, points, "reserve", who, now=now, order_id=order_id)
    _entry(account, "reserved", points, "reserve", who, order_id=order_id,
           key=f"reserve:{order_id}", now=now)


def _reserved_for(order_id: int) -> int:
    return session().scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
        PointsEntry.order_id == order_id, PointsEntry.bucket == "reserved")) or 0


def _order_user(order_id: int) -> int | None:
    return session().scalar(select(PointsEntry.user_id).where(
        PointsEntry.order_id == order_id, PointsEntry.key == f"reserve:{order_id}"))


def _open_reservation(order_id: int, key: str) -> tuple[PointsAccount, int] | None:
    """The locked account and the points still held for the order, unless ``key`` ran."""
    user_id = _order_user(order_id)
    if user_id is None:
        return None
    account = lock_account(user_id)
    held = _reserved_for(order_id)
    if held <= 0 or _seen(key):
        return None
    return account, held


def spend(order_id: int, *, now: datetime) -> int:
    """The order was paid: its reserved points are spent for good."""
    reservation = _open_reservation(order_id, f"spend:{order_id}")
    if reservation is None:
        return 0
    account, held = reservation
    _entry(account, "reserved", -held, "spend", Who(f"paid order {order_label(order_id)}"),
           order_id=order_id, key=f"spend:{order_id}", now=now)
    return held


def release(order_id: int, *, now: datetime) -> int:
    """The order was cancelled: its reserved points go back to the lots they came from,
    with those lots' own expiry dates."""
    reservation = _open_reservation(order_id, f"release:{order_id}")
    if reservation is None:
        return 0
    account, held = reservation
    who = Who(f"order {order_label(order_id)} was cancelled")
    taken = session().execute(select(PointsEntry.lot_id, func.sum(PointsEntry.delta)).where(
        PointsEntry.order_id == order_id, PointsEntry.kind == "reserve",
        PointsEntry.bucket == "available").group_by(PointsEntry.lot_id)).all()
    for lot_id, delta in taken:
        lot = session().get(PointsLot, lot_id, populate_existing=True)
        lot.remaining += -delta
        if lot.state == "expired":
            lot.state = "available"  # it expires again at the next run if its date passed
        _entry(account, "available", -delta, "release", who, lot=lot, order_id=order_id,
               now=now)
    _entry(account, "reserved", -held, "release", who, order_id=order_id,
           key=f"release:{order_id}", now=now)
    return held


def reverse_for_refund(order_id: int, refund_id: str, refunded_total: int, order_total: int,
                       *, now: datetime) -> tuple[int, int]:
    """Take back earned points in proportion to what was refunded.

    Rule: after refunds totalling R of an order total T that earned E points, floor(E * R / T)
    points have been taken back (all E when R = T). Each refund takes the difference, once
    per refund id. Points come from the order's own lot first, then the member's other lots
    (soonest expiry first); points the member already spent are not taken twice: that
    shortfall is forgiven and recorded for staff. Returns (taken, forgiven).
    """
    db = session()
    lot = db.scalar(select(PointsLot).where(PointsLot.order_id == order_id,
                                            PointsLot.source == "earn"))
    if lot is None or order_total <= 0:
        return 0, 0
    account = lock_account(lot.user_id) if lot.user_id is not None else None
    if db.get(PointsReversal, refund_id) is not None:
        return 0, 0
    db.refresh(lot)
    target = lot.amount if refunded_total >= order_total else \
        lot.amount * refunded_total // order_total
    done = db.scalar(select(func.coalesce(func.sum(PointsReversal.due), 0)).where(
        PointsReversal.order_id == order_id)) or 0
    due = max(target - done, 0)
    who = Who(f"refund of order {order_label(order_id)}", "refund")
    if lot.state in ("held", "pending", "frozen"):
        taken = min(lot.remaining, due)
        lot.remaining -= taken
        if account is not None and taken:
            _entry(account, "pending", -taken, "reverse", who, lot=lot, order_id=order_id,
                   now=now)
    else:
        taken = _take(account, due, "reverse", who, now=now, order_id=order_id, first=lot)
    forgiven = due - taken
    db.add(PointsReversal(refund_id=refund_id, order_id=order_id, user_id=lot.user_id,
                          due=due, taken=taken, forgiven=forgiven, created_at=now))
    return taken, forgiven


def return_spent_for_refund(order_id: int, refund_id: str, refunded_total: int,
                            order_total: int, cfg: PointsConfig, *, now: datetime) -> int:
    """Give back the points paid on an order in proportion to what was refunded.

    Rule: after refunds totalling R of an order total T on which S points were spent,
    floor(S * R / T) points have come back (all S when R = T). Each refund gives the
    difference, once per refund id, as points usable at once and valid like points earned
    that day. Never more than S. Returns the points given back.
    """
    user_id = _order_user(order_id)
    if user_id is None or order_total <= 0:
        return 0
    lock_account(user_id)
    key = f"return:{refund_id}"
    if _seen(key):
        return 0
    spent = -_order_sum(order_id, kind="spend")
    target = spent if refunded_total >= order_total else spent * refunded_total // order_total
    due = min(target, spent) - _order_sum(order_id, kind="refund")
    if due <= 0:
        return 0
    grant(user_id, due, "refund", Who(f"paid on order {order_label(order_id)}, returned by "
                                      "its refund", "refund"),
          cfg, now=now, key=key, order_id=order_id)
    return due


def _order_sum(order_id: int, *, kind: str) -> int:
    return session().scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
        PointsEntry.order_id == order_id, PointsEntry.kind == kind)) or 0


def _earn_lot(order_id: int) -> tuple[PointsLot | None, PointsAccount | None]:
    """The order's earned lot, re-read under its member's account lock (or a row lock for a
    guest's held points)."""
    db = session()
    found = db.execute(select(PointsLot.id, PointsLot.user_id).where(
        PointsLot.order_id == order_id, PointsLot.source == "earn")).first()
    if found is None:
        return None, None
    account = lock_account(found.user_id) if found.user_id is not None else None
    lot = db.scalar(select(PointsLot).where(PointsLot.id == found.id).with_for_update()
                    .execution_options(populate_existing=True))
    return lot, account


def freeze_for_dispute(order_id: int, dispute_id: str, *, now: datetime) -> int:
    """The order's payment is disputed: what is left of its earned points stops being usable
    (counted as pending, not matured, not spent) until the dispute ends. Returns how many."""
    lot, account = _earn_lot(order_id)
    if lot is None or lot.state not in ("held", "pending", "available"):
        return 0  # none earned, or frozen already (a replay), or expired
    who = Who(f"the payment of order {order_label(order_id)} is disputed", "card dispute")
    if lot.state == "available" and lot.remaining:
        _entry(account, "available", -lot.remaining, "freeze", who, lot=lot,
               order_id=order_id, now=now)
        _entry(account, "pending", lot.remaining, "freeze", who, lot=lot, order_id=order_id,
               key=f"freeze:{dispute_id}", now=now)
    lot.state = "frozen"
    return lot.remaining


def thaw_after_dispute(order_id: int, dispute_id: str, *, now: datetime) -> int:
    """The dispute ended: the frozen points are as they would have been without it (usable
    if their return window has closed). Returns how many."""
    lot, account = _earn_lot(order_id)
    if lot is None or lot.state != "frozen":
        return 0
    if lot.user_id is None:
        lot.state = "held"
        return lot.remaining
    lot.state = "available" if lot.available_at <= now else "pending"
    if lot.state == "available" and lot.remaining:
        who = Who(f"the dispute on order {order_label(order_id)} ended", "card dispute")
        _entry(account, "pending", -lot.remaining, "thaw", who, lot=lot, order_id=order_id,
               now=now)
        _entry(account, "available", lot.remaining, "thaw", who, lot=lot, order_id=order_id,
               key=f"thaw:{dispute_id}", now=now)
    return lot.remaining


def adjust(user_id: int, points: int, who: Who, cfg: PointsConfig, *, now: datetime) -> None:
    """Staff correction: add points (a new lot) or take them (soonest expiry first)."""
    if points > 0:
        grant(user_id, points, "adjust", who, cfg, now=now)
        return
    account = lock_account(user_id)
    _expire_lots(account, now)
    if account.available < -points:
        raise PointsError(ngettext("The member has only %(num)s point to take from.",
                                   "The member has only %(num)s points to take from.",
                                   account.available))
    _take(account, -points, "adjust", who, now=now)


def next_expiry(user_id: int, now: datetime) -> tuple[datetime, int] | None:
    row = session().execute(select(PointsLot.expires_at, func.sum(PointsLot.remaining)).where(
        PointsLot.user_id == user_id, PointsLot.state == "available", PointsLot.remaining > 0,
        PointsLot.expires_at.is_not(None), PointsLot.expires_at > now)
        .group_by(PointsLot.expires_at).order_by(PointsLot.expires_at).limit(1)).first()
    return (row[0], int(row[1])) if row else None


def expiring_soon(now: datetime, within: timedelta) -> list[PointsLot]:
    return list(session().scalars(select(PointsLot).where(
        PointsLot.state == "available", PointsLot.remaining > 0, PointsLot.user_id.is_not(None),
        PointsLot.notice_sent_at.is_(None), PointsLot.expires_at.is_not(None),
        PointsLot.expires_at > now, PointsLot.expires_at <= now + within)
        .order_by(PointsLot.user_id, PointsLot.expires_at)))


def forgiven_reversals(user_id: int) -> list[PointsReversal]:
    """Refunds whose points could not all be taken back: the policy, for staff to see."""
    return list(session().scalars(select(PointsReversal).where(
        PointsReversal.user_id == user_id, PointsReversal.forgiven > 0)
        .order_by(PointsReversal.created_at.desc())))


def balance(user_id: int) -> PointsAccount | None:
    return session().get(PointsAccount, user_id)


def usable(user_id: int, now: datetime) -> int:
    """Points the member can spend now: the available balance less the points whose expiry
    has come but which the hourly expiry job has not yet taken."""
    account = balance(user_id)
    if account is None or not account.available:
        return 0
    overdue = session().scalar(select(func.coalesce(func.sum(PointsLot.remaining), 0)).where(
        PointsLot.user_id == user_id, PointsLot.state == "available", PointsLot.remaining > 0,
        PointsLot.expires_at.is_not(None), PointsLot.expires_at <= now)) or 0
    return account.available - overdue


def ledger_totals(user_id: int) -> dict[str, int]:
    rows = session().execute(select(PointsEntry.bucket, func.sum(PointsEntry.delta)).where(
        PointsEntry.user_id == user_id).group_by(PointsEntry.bucket)).all()
    totals = {"available": 0, "pending": 0, "reserved": 0}
    totals.update({bucket: int(total) for bucket, total in rows})
    return totals


__all__ = ["PointsError", "Who", "adjust", "balance", "claim_guest_points", "expire",
           "grant", "hold_for_guest", "ledger_totals", "mature", "next_expiry",
           "release", "reserve", "return_spent_for_refund", "reverse_for_refund", "spend"]
