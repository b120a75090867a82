"""The hook the community plugin offers other plugins. Call it with ``hooks.call``::

    if hooks.provided("community_figures"):
        activity = hooks.call("community_figures", start=start, end=end)

While the community plugin is disabled ``hooks.provided("community_figures")`` is False.
"""

from __future__ import annotations

from datetime import datetime

from hooks import Policy, spec


@spec(Policy.FURNITURE, firstresult=True, since="2.5")
def community_figures(start: datetime, end: datetime) -> dict[str, int]:
    """Activity for the owner's figures over ``[start, end)`` (naive UTC): ``comments``
    (written in the period, whatever became of them since), ``members`` (who wrote them)
    and ``reports`` (comments reported by readers)."""
