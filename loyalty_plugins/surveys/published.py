"""The hooks the surveys plugin offers other plugins. Call them with ``hooks.call``::

    if hooks.provided("surveys_sample_answer"):
        hooks.call("surveys_sample_answer", user_id=42, nps=9, reason="Quick and kind")

While the surveys plugin is disabled ``hooks.provided(...)`` is False. The plugin also emits
the event ``surveys.detractor`` for every answer scoring 0 to 6 (see docs/plugins.md).
"""

from __future__ import annotations

from hooks import Policy, spec


@spec(Policy.DECIDES, firstresult=True, since="2.6")
def surveys_sample_answer(user_id: int, nps: int, reason: str) -> bool:
    """For a demo or test shop: record an answered survey about the member's latest order
    (paid or imported as history), with ``nps`` (0-10), ``reason`` and middling marks, as if
    the member had answered it, without points or a message. True when recorded, False when
    the member has no order or that order's survey exists already. Runs in the caller's
    transaction."""
