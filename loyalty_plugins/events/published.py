"""The hook the events plugin offers other plugins. Call it with ``hooks.call``::

    if hooks.provided("events_figures"):
        seen = hooks.call("events_figures", start=start, end=end)

While the events plugin is disabled ``hooks.provided("events_figures")`` is False.
"""

from __future__ import annotations

from datetime import datetime

from hooks import Policy, spec


@spec(Policy.FURNITURE, firstresult=True, since="2.5")
def events_figures(start: datetime, end: datetime) -> dict[str, int]:
    """Attendance for the owner's figures, over the events that started in ``[start, end)``
    (naive UTC): ``events`` (how many), ``confirmed`` (their confirmed registrations) and
    ``attended`` (of those, checked in at the door)."""
