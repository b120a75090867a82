"""The tiers plugin's public API for other plugins (cards, events).

    from loyalty_plugins.tiers import api as tiers
    tiers.rank_of("gold")  # 2 in the default ladder, None if unknown or tiers are off
    tiers.ladder_info()    # every tier, lowest first; () while tiers are off
"""

from __future__ import annotations

from hooks import TierInfo, plugin_enabled
from loyalty_plugins.tiers.programme import NAME, by_code, ladder


def enabled() -> bool:
    return plugin_enabled(NAME)


def rank_of(code: str) -> int | None:
    if not enabled():
        return None
    return next((t.rank for t in ladder() if t.code == code), None)


def name_of(code: str) -> str:
    return by_code(code, ladder()).name if enabled() else code


def ladder_info() -> tuple[TierInfo, ...]:
    return tuple(t.info() for t in ladder()) if enabled() else ()
