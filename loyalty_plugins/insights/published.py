"""The hook the insights plugin offers other plugins: a customer's segment, as a condition.
Call it with ``hooks.call``::

    if hooks.provided("insights_segment"):
        segment = hooks.call("insights_segment", email=customer.email)
        if segment in ("at risk", "cannot lose"):
            ...

While the insights plugin is disabled ``hooks.provided("insights_segment")`` is False.
"""

from __future__ import annotations

from hooks import Policy, spec


@spec(Policy.DECIDES, firstresult=True, since="2.5")
def insights_segment(email: str) -> str | None:
    """The segment of the customer with this e-mail address (any case) at the last refresh of
    the figures: ``"champions"``, ``"loyal"``, ``"new"``, ``"potential"``, ``"cannot lose"``,
    ``"at risk"``, ``"hibernating"``, ``"lost"``, or ``"other"`` when the owner's rules name
    none; None for an address that has bought nothing (or before the first refresh)."""
