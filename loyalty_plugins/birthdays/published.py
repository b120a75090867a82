"""The hook the birthdays plugin offers other plugins and the shop (the demo gives its member
a birthday with it). Call it with ``hooks.call``::

    if hooks.provided("birthdays_set"):
        hooks.call("birthdays_set", user_id=42, day=14, month=3, year=None, actor="import")
"""

from __future__ import annotations

from hooks import Policy, spec


@spec(Policy.DECIDES, firstresult=True, since="2.6")
def birthdays_set(user_id: int, day: int, month: int, year: int | None, actor: str) -> bool:
    """Set a member's birthday (``year`` may be None), recorded in its changes as made by
    ``actor``. True when it changed; ValueError when it is not a date (29 February with a
    year that has none). Runs in the caller's transaction; the caller commits."""
