"""The hooks the points plugin offers other plugins. Call them with ``hooks.call``::

    if hooks.provided("points_grant"):
        hooks.call("points_grant", user_id=42, points=50, reason="Attended the tasting",
                   key="event:7", actor="events")

Both answer only while the points plugin is enabled; otherwise ``hooks.provided`` is False
and ``hooks.call`` raises ``hooks.NotProvided``.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Subquery

from hooks import Policy, spec


@spec(Policy.DECIDES, firstresult=True, since="2.0")
def points_grant(user_id: int, points: int, reason: str, key: str, actor: str) -> bool:
    """Give a member ``points``, usable now, with ``reason`` in their ledger and ``actor``
    (who or what gave them) beside it. ``key`` makes the grant happen once (e.g.
    ``"signup:42"``): True when granted, False when the key was used before. Runs in the
    caller's transaction (``hooks.session()``); the caller commits."""


@spec(Policy.DECIDES, firstresult=True, since="2.0")
def points_balance(user_id: int) -> tuple[int, int]:
    """A member's ``(available, pending)`` points."""


@spec(Policy.FURNITURE, firstresult=True, since="2.5")
def points_figures(start: datetime, end: datetime) -> dict[str, int]:
    """The programme's points for the owner's figures, the period being ``[start, end)`` in
    naive UTC: ``issued`` (given in the period: earned, bonuses, staff additions),
    ``redeemed`` (spent on paid orders in it), ``expired`` (lapsed in it), ``outstanding``
    (held by members and guests today, pending and reserved included: the liability) and
    ``point_value`` (what one point is worth at checkout, minor units)."""


@spec(Policy.FURNITURE, firstresult=True, since="2.5")
def points_issued(start: datetime, end: datetime) -> Subquery:
    """The points given to each member in ``[start, end)`` (naive UTC), counted as in
    ``points_figures``' ``issued`` (earned, bonuses, staff additions), as a SQL subquery to
    join in the database: ``user_id``, ``points`` and ``redeemed`` (the points the member
    spent at checkout in the period, as ``points_figures``' ``redeemed``). Points held for a
    guest's address until an account claims them are not in it. Value them with
    ``points_figures``' ``point_value``."""


@spec(Policy.DECIDES, firstresult=True, since="2.6")
def points_boost(user_id: int, multiplier: Decimal, until: datetime, reason: str,
                 key: str) -> bool:
    """Multiply a member's points for a while: orders paid before ``until`` (naive UTC) earn
    ``multiplier`` (more than 1, at most 10) times their points, on top of the tier's
    multiplier; of several boosts at once the largest counts. The product page, the cart and
    the checkout show the boosted points. ``reason`` (English, marked with ``hooks.N_``) is
    shown to the member in their language. ``key`` makes it happen once: True when given,
    False when the key was used before. Runs in the caller's transaction."""


@spec(Policy.FURNITURE, firstresult=True, since="2.6")
def points_boosts(key_prefix: str) -> list[dict]:
    """The boosts whose key starts with ``key_prefix``, each a dict: ``key``, ``user_id``,
    ``multiplier``, ``granted_at`` and ``until`` (naive UTC)."""
