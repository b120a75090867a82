"""Attendance over a period, for the owner's figures (published as ``events_figures``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, select

from hooks import session
from loyalty_plugins.events.models import Event, Registration


def figures(start: datetime, end: datetime) -> dict[str, int]:
    """Of the events that started in the period: how many, their confirmed registrations
    and how many of those were checked in at the door."""
    events = session().scalar(select(func.count()).select_from(Event).where(
        Event.starts_at >= start, Event.starts_at < end))
    confirmed, attended = session().execute(
        select(func.count(), func.coalesce(func.sum(
            case((Registration.checked_in_at.is_not(None), 1), else_=0)), 0))
        .join(Event, Event.id == Registration.event_id)
        .where(Event.starts_at >= start, Event.starts_at < end,
               Registration.status == "confirmed")).one()
    return {"events": int(events or 0), "confirmed": int(confirmed), "attended": int(attended)}
