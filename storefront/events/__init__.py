"""Domain events in a transactional outbox.

``record`` writes an event, and one delivery row per consumer, in the caller's transaction:
if the change rolls back, so does its event. After the commit the worker (``storefront
worker``) delivers each event to each consumer, in a transaction of its own that also marks
the delivery done, so a redelivery changes nothing. See docs/plugins.md, "Events".
"""

from __future__ import annotations

from storefront.events.catalogue import CORE_EVENTS, CoreEvent
from storefront.events.record import record

__all__ = ["CORE_EVENTS", "CoreEvent", "record"]
