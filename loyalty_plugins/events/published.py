"""The hooks the events plugin offers other plugins. Call them with ``hooks.call``::

    if hooks.provided("events_figures"):
        seen = hooks.call("events_figures", start=start, end=end)

While the events plugin is disabled ``hooks.provided(...)`` is False.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Subquery

from hooks import Policy, spec


@spec(Policy.FURNITURE, firstresult=True, since="2.5")
def events_figures(start: datetime, end: datetime) -> dict[str, int]:
    """Attendance for the owner's figures, over the events that started in ``[start, end)``
    (naive UTC): ``events`` (how many), ``confirmed`` (their confirmed registrations) and
    ``attended`` (of those, checked in at the door)."""


@spec(Policy.FURNITURE, firstresult=True, since="2.5")
def events_costs(start: datetime, end: datetime) -> Subquery:
    """What the events that started in ``[start, end)`` (naive UTC) cost the shop per member,
    as a SQL subquery to join in the database: ``user_id`` and ``cost`` (minor units: the
    event's ``cost`` per seat times the seats of each confirmed registration, the member and
    their guests, whether they came or not; events without a ``cost`` count 0)."""


@spec(Policy.FURNITURE, firstresult=True, since="2.6")
def events_upcoming(user_id: int, until: datetime) -> list[dict]:
    """The published events starting between now and ``until`` (naive UTC) that the member
    may attend, soonest first: those they hold a ticket or a waitlist place for, and those
    whose registration is open to them (audience and tier as the event's page applies them).
    Each a dict: ``slug``, ``title``, ``starts_at`` (naive UTC), ``start`` (the start in the
    event's time zone), ``timezone``, ``place``, ``price`` (minor units; 0 is free),
    ``registered`` (the member's status: ``confirmed``, ``pending``, ``waitlisted``, or
    None) and ``path`` (the event's page, ``/events/<slug>``)."""
