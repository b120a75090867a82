"""The hook the referrals plugin offers other plugins (and the demo): record a referral as if
the friend had entered the member's code. Call it with ``hooks.call``::

    if hooks.provided("referrals_refer"):
        outcome = hooks.call("referrals_refer", referee_id=friend.id, referrer_id=member.id)

While the referrals plugin is disabled ``hooks.provided("referrals_refer")`` is False.
"""

from __future__ import annotations

from hooks import Policy, spec


@spec(Policy.DECIDES, firstresult=True, since="2.6")
def referrals_refer(referee_id: int, referrer_id: int) -> str:
    """The member ``referee_id`` joins with the code of ``referrer_id``, with everything
    entering the code does (the blocks, the friend's reward and message): ``"accepted"``,
    ``"used"`` (the friend has a referral already), ``"unknown"`` (no such member),
    ``"staff"`` (a staff account, not a club member) or the
    block's name (``same_account``, ``same_email``, ``already_bought``, ``monthly_limit``).
    Runs in the caller's transaction; the caller commits."""
