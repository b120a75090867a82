"""The hooks the rewards plugin offers other plugins: a one-time reward off a member's next
order, given by a birthday, a referral or a win-back offer. Call them with ``hooks.call``::

    if hooks.provided("rewards_grant"):
        hooks.call("rewards_grant", user_id=42, key="birthday:42:2027",
                   label="Birthday gift %(year)s", label_args={"year": 2027},
                   percent=Decimal("10"), amount=None, until=datetime(2027, 3, 31, 22))

They answer only while the rewards plugin is enabled; otherwise ``hooks.provided`` is False
and ``hooks.call`` raises ``hooks.NotProvided``. All run in the caller's transaction
(``hooks.session()``); the caller commits.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from hooks import Policy, spec


@spec(Policy.DECIDES, firstresult=True, since="2.6")
def rewards_grant(user_id: int, key: str, label: str, label_args: dict | None,
                  percent: Decimal | None, amount: int | None, until: datetime) -> bool:
    """Give member ``user_id`` a reward off one order: ``percent`` off, or ``amount`` off
    (minor units; give exactly one), usable until ``until`` (naive UTC). ``label`` is an
    English text of the calling plugin's catalog (mark it for translation), shown in the
    member's language with ``label_args`` filled in: in the cart, at checkout, on the account
    page and to staff ("Birthday gift %(year)s"). ``key`` makes the grant happen once: True
    when granted, False when the key was granted before (also under concurrency)."""


@spec(Policy.DECIDES, firstresult=True, since="2.6")
def rewards_status(key: str) -> str | None:
    """The reward's status: ``available``, ``reserved`` (held by an unpaid order), ``used``
    (that order was paid), ``expired``, ``revoked``; None when no reward has that key."""


@spec(Policy.DECIDES, firstresult=True, since="2.6")
def rewards_revoke(key: str) -> bool:
    """Take back a reward that is still available (not held by an order, not used): True
    when it was revoked now."""


@spec(Policy.FURNITURE, firstresult=True, since="2.6")
def rewards_list(key_prefix: str) -> list[dict]:
    """The rewards whose key starts with ``key_prefix``, newest first, each a dict: ``key``,
    ``user_id``, ``status`` (as ``rewards_status``), ``order_id`` (the order that used or
    holds it, else None), ``granted_at`` and ``until`` (naive UTC)."""


@spec(Policy.FURNITURE, firstresult=True, since="2.6")
def rewards_describe(key: str) -> dict[str, str] | None:
    """The reward in the reader's language, for a message or a page: ``label`` ("Birthday
    gift 2027"), ``offer`` ("10% off", "€5.00 off") and ``until`` (its last day, "31 March
    2027"); None when no reward has that key."""
