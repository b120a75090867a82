"""The hook the tiers plugin offers other plugins. Call it with ``hooks.call``::

    ladder = hooks.call("tiers_ladder") if hooks.provided("tiers_ladder") else ()

While the tiers plugin is disabled ``hooks.provided("tiers_ladder")`` is False.
"""

from __future__ import annotations

from datetime import datetime

from hooks import Policy, TierInfo, spec


@spec(Policy.DECIDES, firstresult=True, since="2.0")
def tiers_ladder() -> tuple[TierInfo, ...]:
    """Every tier of the programme, lowest first (``rank`` 0 is the lowest)."""


@spec(Policy.FURNITURE, firstresult=True, since="2.5")
def tiers_figures(start: datetime, end: datetime) -> dict:
    """The ladder for the owner's figures, the period being ``[start, end)`` in naive UTC:
    ``members`` (each tier's code and how many members are in it today, lowest tier first),
    ``up`` and ``down`` (members who moved up or down a tier in the period)."""


@spec(Policy.FURNITURE, firstresult=True, since="2.6")
def tiers_progress(user_id: int) -> dict:
    """Where a member stands on the ladder today, as their account page shows it:
    ``programme`` (its name), ``tier`` (their ``TierInfo``), ``spend`` (net spend over the
    window, minor units), ``window_months``, ``next`` (the ``TierInfo`` above, or None at
    the top) and ``left`` (what they still have to spend to reach it, minor units; 0 at the
    top). A tier's ``name`` is a text in the reader's language, evaluated where it is shown
    (``str()`` it there), so a message renders it in its recipient's language."""
