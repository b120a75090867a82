"""The hook the tiers plugin offers other plugins. Call it with ``hooks.call``::

    ladder = hooks.call("tiers_ladder") if hooks.provided("tiers_ladder") else ()

While the tiers plugin is disabled ``hooks.provided("tiers_ladder")`` is False.
"""

from __future__ import annotations

from hooks import Policy, TierInfo, spec


@spec(Policy.DECIDES, firstresult=True, since="2.0")
def tiers_ladder() -> tuple[TierInfo, ...]:
    """Every tier of the programme, lowest first (``rank`` 0 is the lowest)."""
