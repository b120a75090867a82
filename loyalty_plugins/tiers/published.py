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
