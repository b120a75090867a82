"""An .ics file for a member's event (RFC 5545, via the icalendar package)."""

from __future__ import annotations

from datetime import UTC

from loyalty_plugins.events.content import EventInfo
from loyalty_plugins.events.models import Registration


def ics(info: EventInfo, reg: Registration, url: str) -> bytes:
    # Imported here, not at start-up (icalendar takes about 25 ms to import).
    from icalendar import Calendar
    from icalendar import Event as CalendarEvent

    cal = Calendar()
    cal.add("prodid", "-//Storefront//events plugin//EN")
    cal.add("version", "2.0")
    entry = CalendarEvent()
    entry.add("uid", f"event-{info.slug}-registration-{reg.id}@storefront")
    entry.add("dtstamp", reg.updated_at.replace(tzinfo=UTC))
    entry.add("dtstart", info.local(info.starts_at))
    entry.add("dtend", info.local(info.ends_at))
    entry.add("summary", info.title)
    entry.add("location", info.place)
    entry.add("url", url)
    party = f" (you and {reg.guests} guest{'s' if reg.guests > 1 else ''})" if reg.guests else ""
    entry.add("description", f"{info.summary}\n\nYour ticket{party}: {url}".strip())
    cal.add_component(entry)
    cal.add_missing_timezones()  # a VTIMEZONE for the event's zone, as RFC 5545 asks
    return cal.to_ical()
