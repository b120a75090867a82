"""Attendance over a period, for the owner's figures (published as ``events_figures``), and
what the events cost per member (``events_costs``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Subquery, case, func, select

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


def costs(start: datetime, end: datetime) -> Subquery:
    """Per member: the seats of their confirmed registrations to the events that started in
    the period, times each event's cost per seat."""
    seats = 1 + Registration.guests
    return (select(Registration.user_id, func.sum(seats * Event.seat_cost).label("cost"))
            .join(Event, Event.id == Registration.event_id)
            .where(Event.starts_at >= start, Event.starts_at < end,
                   Registration.status == "confirmed", Event.seat_cost > 0)
            .group_by(Registration.user_id).subquery("events_costs"))
