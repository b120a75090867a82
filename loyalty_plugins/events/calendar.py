"""An .ics file for a member's event (RFC 5545, via the icalendar package)."""

from __future__ import annotations

from datetime import UTC

from hooks import gettext as _
from hooks import ngettext
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
    ticket = (ngettext("Your ticket (you and %(num)s guest): %(url)s",
                       "Your ticket (you and %(num)s guests): %(url)s", reg.guests, url=url)
              if reg.guests else _("Your ticket: %(url)s", url=url))
    entry.add("description", f"{info.summary}\n\n{ticket}".strip())
    cal.add_component(entry)
    cal.add_missing_timezones()  # a VTIMEZONE for the event's zone, as RFC 5545 asks
    return cal.to_ical()
