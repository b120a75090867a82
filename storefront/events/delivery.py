"""Delivering events: each (event, consumer) in one transaction that also marks it done.

A delivery starts by claiming its row with an UPDATE, so a second worker with the same
event (a redelivery, or the delivery job finding it) waits for the first and then finds it
done; on PostgreSQL it waits at most ``CLAIM_WAIT``, then leaves the delivery for a later
run (a worker that hangs inside a delivery, its host frozen or cut off, keeps the row locked
for as long as the database keeps its session, which may be hours). A failure rolls the
consumer's work back and is retried after a growing pause; after ``EVENT_MAX_ATTEMPTS`` it
is dead: on the dead-letter list, where staff retry or dismiss it.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, text, update
from sqlalchemy.exc import OperationalError

from storefront.events.catalogue import CORE_EVENTS, SHOP_CONSUMER
from storefront.events.models import DomainEvent, EventDelivery
from storefront.extensions import db
from storefront.plugins.dispatch import dispatcher
from storefront.timeutil import utcnow

log = logging.getLogger("storefront.events")

OPEN = ("pending", "failed")
WAIT_FOR_EARLIER = timedelta(seconds=5)
CLAIM_WAIT = "5s"  # PostgreSQL's lock_timeout for the claim
LOCK_NOT_AVAILABLE = "55P03"
SHOP_MESSAGES_EXTENSION = "storefront_shop_messages"


class NotEnabled(RuntimeError):
    """The consumer is a plugin that is not enabled (or not installed) now."""


class EarlierEventOpen(RuntimeError):
    """An earlier event of the same order or customer is not yet delivered to this consumer."""

    def __init__(self, waiting: list[int], blocked: bool) -> None:
        super().__init__(waiting)
        self.waiting = waiting  # the earlier deliveries, oldest first
        self.blocked = blocked  # one of them is pausing after a failure: wait for it


def deliver_event(event_id: int) -> None:
    """Deliver an event to each consumer still waiting for it (the worker's task)."""
    now = utcnow()
    ids = db.session.scalars(select(EventDelivery.id).where(
        EventDelivery.event_id == event_id,
        or_(EventDelivery.status == "pending",
            and_(EventDelivery.status == "failed", EventDelivery.next_attempt_at <= now)))
        .order_by(EventDelivery.id)).all()
    db.session.rollback()
    for delivery_id in ids:
        deliver(delivery_id)


def due_events(now: datetime, limit: int = 1000) -> list[int]:
    """Events with a delivery due: retries, and any the worker was never told of."""
    return db.session.scalars(
        select(EventDelivery.event_id).where(EventDelivery.status.in_(OPEN),
                                             EventDelivery.next_attempt_at <= now)
        .group_by(EventDelivery.event_id).order_by(EventDelivery.event_id).limit(limit)).all()


def deliver(delivery_id: int, *, catch_up: bool = True) -> bool:
    """One consumer's turn with one event. True when it is done (now or before).

    When an earlier event of the same aggregate still waits for this consumer, that one is
    delivered first (``catch_up``), or this one waits for it."""
    session = db.session
    claimed = _claim(delivery_id)
    if claimed is None:
        log.warning("event delivery %s is held by another worker for more than %s; left "
                    "for a later run", delivery_id, CLAIM_WAIT)
        return False
    if not claimed:
        session.rollback()
        return True
    delivery = session.get(EventDelivery, delivery_id)
    event = session.get(DomainEvent, delivery.event_id)
    try:
        _wait_for_earlier(delivery, event)
        handle(delivery.consumer, event)
        delivery.status, delivery.done_at = "done", utcnow()
        delivery.attempts += 1
        session.commit()
        return True
    except EarlierEventOpen as earlier:
        session.rollback()
        if catch_up and not earlier.blocked and all(
                deliver(waiting, catch_up=False) for waiting in earlier.waiting):
            return deliver(delivery_id, catch_up=False)
        _postpone(delivery_id, WAIT_FOR_EARLIER)
    except Exception as exc:  # noqa: BLE001 - recorded, retried, and shown to staff
        session.rollback()
        log.exception("event %s (%s) failed for %s", event.uid, event.type, delivery.consumer)
        _failed(delivery_id, exc)
    return False


def _claim(delivery_id: int) -> bool | None:
    """Lock the delivery's row if it is open: True; False when it is not open (done);
    None when another session has held the row for longer than CLAIM_WAIT."""
    session = db.session
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text(f"SET LOCAL lock_timeout = '{CLAIM_WAIT}'"))
    try:
        claimed = session.execute(update(EventDelivery).where(
            EventDelivery.id == delivery_id, EventDelivery.status.in_(OPEN))
            .values(attempts=EventDelivery.attempts)).rowcount  # takes the row's lock
    except OperationalError as exc:
        session.rollback()
        if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            return None
        raise
    if postgres:  # the consumer's own statements wait as long as they need
        session.execute(text("SET LOCAL lock_timeout = DEFAULT"))
    return bool(claimed)


def init_app(app: Flask, shop_messages: Callable[[DomainEvent], None]) -> None:
    """Name the shop's own consumer (``SHOP_CONSUMER``): its messages about orders
    (``storefront.notifications.order_messages``), which sit above events, so the worker
    hands them in."""
    app.extensions[SHOP_MESSAGES_EXTENSION] = shop_messages


def handle(consumer: str, event: DomainEvent) -> None:
    if consumer == SHOP_CONSUMER:
        current_app.extensions[SHOP_MESSAGES_EXTENSION](event)
        return

    callers = []
    known = CORE_EVENTS.get(event.type)
    hook_names = [known.hook] if known and known.hook else []
    for hook_name in (*hook_names, "shop_event"):
        caller = dict(dispatcher().per_plugin(hook_name)).get(consumer)
        if caller is not None:
            callers.append((hook_name, caller))
    if not callers:
        raise NotEnabled(f"plugin {consumer} is not enabled (or no longer answers "
                         f"{event.type})")
    for hook_name, caller in callers:
        if hook_name == "shop_event":
            caller(event=view(event))
        else:
            caller(**{name: event.payload.get(name) for name in known.payload})


def view(event: DomainEvent):
    from hooks.types import Event

    return Event(id=event.uid, type=event.type, version=event.version,
                 aggregate_type=event.aggregate_type, aggregate_id=event.aggregate_id,
                 payload=dict(event.payload), occurred_at=event.occurred_at,
                 source=event.source)


def _wait_for_earlier(delivery: EventDelivery, event: DomainEvent) -> None:
    """Events of one order (or customer) reach a consumer in the order they happened."""
    waiting = db.session.execute(
        select(EventDelivery.id, EventDelivery.status, EventDelivery.next_attempt_at)
        .join(DomainEvent, DomainEvent.id == EventDelivery.event_id)
        .where(EventDelivery.consumer == delivery.consumer, EventDelivery.status.in_(OPEN),
               DomainEvent.id < event.id,
               DomainEvent.aggregate_type == event.aggregate_type,
               DomainEvent.aggregate_id == event.aggregate_id)
        .order_by(DomainEvent.id)).all()
    if waiting:
        now = utcnow()
        blocked = any(status == "failed" and next_at > now for _, status, next_at in waiting)
        raise EarlierEventOpen([row.id for row in waiting], blocked)


def _postpone(delivery_id: int, pause: timedelta) -> None:
    db.session.execute(update(EventDelivery).where(EventDelivery.id == delivery_id)
                       .values(next_attempt_at=utcnow() + pause))
    db.session.commit()


def pause_after(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min ... at most 6 hours."""
    base = float(current_app.config["EVENT_RETRY_SECONDS"])
    return timedelta(seconds=min(base * 2 ** (attempts - 1), 6 * 3600))


def _failed(delivery_id: int, exc: Exception) -> None:
    delivery = db.session.get(EventDelivery, delivery_id)
    delivery.attempts += 1
    dead = delivery.attempts >= int(current_app.config["EVENT_MAX_ATTEMPTS"])
    delivery.status = "dead" if dead else "failed"
    delivery.last_error = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]
    delivery.next_attempt_at = utcnow() + pause_after(delivery.attempts)
    db.session.commit()


@dataclass(frozen=True)
class Trouble:
    """A delivery that failed: retrying (``failed``) or given up (``dead``)."""

    id: int
    consumer: str
    event_type: str
    event_uid: str
    aggregate: str
    occurred_at: datetime
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str


def _troubles(*where) -> list[Trouble]:
    rows = db.session.execute(
        select(EventDelivery, DomainEvent).join(DomainEvent,
                                                DomainEvent.id == EventDelivery.event_id)
        .where(*where).order_by(EventDelivery.id.desc()).limit(500))
    return [Trouble(d.id, d.consumer, e.type, e.uid, f"{e.aggregate_type} {e.aggregate_id}",
                    e.occurred_at, d.status, d.attempts, d.next_attempt_at, d.last_error)
            for d, e in rows]


def troubled() -> list[Trouble]:
    """The dead-letter list, and the deliveries waiting for a retry (newest first)."""
    return _troubles(EventDelivery.status.in_(("failed", "dead")))


def describe(delivery_id: int) -> Trouble | None:
    found = _troubles(EventDelivery.id == delivery_id)
    return found[0] if found else None


def retry(delivery_id: int) -> bool:
    """Staff: try a failed or dead delivery again now. True when it went through."""
    changed = db.session.execute(update(EventDelivery).where(
        EventDelivery.id == delivery_id, EventDelivery.status.in_(("failed", "dead")))
        .values(status="failed", next_attempt_at=utcnow())).rowcount
    db.session.commit()
    return bool(changed) and deliver(delivery_id)


def dismiss(delivery_id: int) -> bool:
    changed = db.session.execute(update(EventDelivery).where(
        EventDelivery.id == delivery_id, EventDelivery.status.in_(("dead", "failed")))
        .values(status="dismissed", next_attempt_at=utcnow())).rowcount
    db.session.commit()
    return bool(changed)
