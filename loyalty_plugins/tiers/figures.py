"""The ladder's members and moves over a period, for the owner's figures (published as
``tiers_figures``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from hooks import session
from loyalty_plugins.tiers.models import TierChange, TierMember
from loyalty_plugins.tiers.programme import by_code, ladder


def figures(start: datetime, end: datetime) -> dict:
    tiers = ladder()
    members = dict.fromkeys((tier.code for tier in tiers), 0)
    for code, count in session().execute(select(TierMember.tier_code, func.count())
                                         .group_by(TierMember.tier_code)):
        members[by_code(code, tiers).code] += count  # a tier since removed: the lowest
    moves = {"up": 0, "down": 0}
    for old, new, count in session().execute(
            select(TierChange.from_code, TierChange.to_code, func.count())
            .where(TierChange.at >= start, TierChange.at < end, TierChange.from_code != "")
            .group_by(TierChange.from_code, TierChange.to_code)):
        step = by_code(new, tiers).rank - by_code(old, tiers).rank
        if step:
            moves["up" if step > 0 else "down"] += count
    return {"members": members, **moves}
