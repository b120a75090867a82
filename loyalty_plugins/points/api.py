"""The points plugin's public API, for other plugins (tiers, welcome gifts, events).

    from loyalty_plugins.points import api as points
    points.grant_bonus(user_id, 50, reason="attended the tasting", key=f"event:{ticket_id}")

Call it inside your own transaction (hooks.session()); the core commits after your hook.
Does nothing (returns False) while the points plugin is disabled.
"""

from __future__ import annotations

from hooks import plugin_enabled
from loyalty_plugins.points import config, ledger
from loyalty_plugins.points.clock import utcnow


def enabled() -> bool:
    return plugin_enabled(config.NAME)


def grant_bonus(user_id: int, points: int, *, reason: str, key: str,
                actor: str = "system") -> bool:
    """Give a member points, usable now. ``key`` makes it happen once (e.g. "signup:42").
    Returns True if granted, False if the key was used before or points are disabled."""
    if not enabled():
        return False
    lot = ledger.grant(user_id, points, "bonus", ledger.Who(reason, actor), config.current(),
                       now=utcnow(), key=key)
    return lot is not None


def balance(user_id: int) -> tuple[int, int]:
    """(available, pending) points of a member."""
    account = ledger.balance(user_id)
    return (account.available, account.pending) if account else (0, 0)


__all__ = ["balance", "enabled", "grant_bonus"]
