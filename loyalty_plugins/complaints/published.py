"""The hooks the complaints plugin offers other plugins. Call them with ``hooks.call``::

    if hooks.provided("complaints_figures"):
        figures = hooks.call("complaints_figures", start=start, end=end)

They answer only while the complaints plugin is enabled.
"""

from __future__ import annotations

from datetime import datetime

from hooks import Policy, spec


@spec(Policy.FURNITURE, firstresult=True, since="2.6")
def complaints_figures(start: datetime, end: datetime) -> dict:
    """The service figures of the complaints filed in ``[start, end)`` (naive UTC):
    ``complaints`` (how many), ``by_category`` and ``by_status`` (dicts of counts),
    ``median_first_reply_minutes`` (None before any reply), ``within_sla`` and ``missed_sla``
    (complaints that met both targets, or missed one; open ones still in time count in
    neither) and ``within_sla_percent``, ``rated`` and ``satisfied`` (the member's rating of
    the resolution) and ``satisfied_percent``. Percentages are whole numbers rounded half
    up, None when nothing counts."""


@spec(Policy.DECIDES, firstresult=True, since="2.6")
def complaints_open(key: str, user_id: int, category: str, order_id: int | None,
                    text: str) -> bool:
    """Open a complaint for member ``user_id`` (status new) with ``text`` as its first words,
    once per ``key``: True when opened, False when ``key`` was used before. ``category`` is
    ``order``, ``product``, ``event``, ``service`` or ``follow-up`` (a task for staff, e.g. a
    survey's detractor, that the member sees once staff answered it). Writes in the caller's
    transaction."""
