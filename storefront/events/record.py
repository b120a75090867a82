"""Writing an event: the event row and a delivery row per consumer, in the caller's
transaction; the worker is told after the commit."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import insert

from storefront.events import queue
from storefront.events.catalogue import CORE_EVENTS, SHOP_CONSUMER
from storefront.events.models import DomainEvent, EventDelivery
from storefront.extensions import db
from storefront.timeutil import utcnow

# The worker is told right after the commit; should that telling be lost (the process died
# between commit and telling), the delivery job finds the event this long after.
UNTOLD_AFTER = timedelta(seconds=30)
SHOP_MESSAGES = frozenset({"order.placed", "order.paid"})


def record(event_type: str, *, aggregate_type: str, aggregate_id: Any, payload: dict,
           version: int = 1, source: str = "shop") -> DomainEvent:
    """Write an event in the current transaction; flushes, never commits."""
    now = utcnow()
    event = DomainEvent(uid=str(uuid.uuid4()), type=event_type, version=version,
                        aggregate_type=aggregate_type, aggregate_id=str(aggregate_id),
                        payload=payload, source=source, occurred_at=now)
    db.session.add(event)
    db.session.flush()
    consumers = consumers_of(event_type)
    if consumers:  # an event nobody receives is kept, and nobody is told of it
        db.session.execute(insert(EventDelivery), [
            {"event_id": event.id, "consumer": name, "next_attempt_at": now + UNTOLD_AFTER}
            for name in consumers])
        queue.after_commit("deliver_event", event.id)
    return event


def consumers_of(event_type: str) -> list[str]:
    """Who receives an event of this type: the shop (for its messages) and every enabled
    plugin with an implementation of the event's reaction hook or of ``shop_event``."""
    from storefront.plugins.dispatch import dispatcher

    found = []
    known = CORE_EVENTS.get(event_type)
    for hook_name in (known.hook if known else None, "shop_event"):
        if hook_name:
            found.extend(name for name, _ in dispatcher().per_plugin(hook_name)
                         if name not in found)
    # The shop's message last: delivered in this order, it can say what the plugins did
    # with the event (the points an order earned), which they write into its template slot.
    return [*found, SHOP_CONSUMER] if event_type in SHOP_MESSAGES else found
