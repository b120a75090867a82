"""What if: the members each tier would hold under another ladder or window, and what the
tier discounts would have cost on the orders of a period, beside the saved settings (the
what-if of the plugin's settings page).

Members are placed as the daily check places them, without the grace period: in the highest
tier whose threshold their net spend (paid minus refunded) over the window, up to now,
reaches. The discount cost is each member's tier discount on what they paid in the period,
shipping excluded. The history is every paid or imported order (``hooks.order_history``),
summed per member in the database; one row per pair of tiers comes back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import ColumnElement, case, func, literal, select

from hooks import WhatIf, WhatIfRow, add_months, order_history, session, utcnow
from hooks import gettext as _
from loyalty_plugins.tiers.programme import Tier, tiers_from


@dataclass(frozen=True)
class Replay:
    members: Counter  # tier code -> members in it
    discount: int  # minor units


def window_start(months: int, now: datetime) -> datetime:
    return datetime.combine(add_months(now.date(), -months), now.time())


def rank(spend: ColumnElement, tiers: Sequence[Tier]) -> ColumnElement:
    """The rank of the highest tier whose threshold ``spend`` reaches (the lowest is 0)."""
    return case(*((spend >= tier.threshold, tier.rank) for tier in reversed(tiers[1:])),
                else_=literal(0))


def replay(current: dict, candidate: dict, since: datetime,
           now: datetime) -> tuple[Replay, Replay]:
    ladders = [tiers_from(current["ladder"]), tiers_from(candidate["ladder"])]
    starts = [window_start(s["window_months"], now) for s in (current, candidate)]
    history = order_history()
    placed, net = history.c.placed_at, history.c.net
    paid = net - history.c.shipping
    per_member = (
        select(*(func.sum(case((placed >= start, net), else_=0)).label(f"spend{i}")
                 for i, start in enumerate(starts)),
               func.sum(case(((placed >= since) & (paid > 0), paid), else_=0)).label("paid"))
        .where(history.c.user_id.is_not(None), placed >= min(*starts, since), placed <= now)
        .group_by(history.c.user_id).subquery("per_member"))
    ranks = [rank(per_member.c[f"spend{i}"], ladder).label(f"rank{i}")
             for i, ladder in enumerate(ladders)]
    rows = session().execute(select(*ranks, func.count(), func.sum(per_member.c.paid))
                             .group_by(*ranks)).all()
    return tuple(_tally(rows, i, ladder) for i, ladder in enumerate(ladders))


def _tally(rows: list, which: int, ladder: Sequence[Tier]) -> Replay:
    members: Counter = Counter()
    cost = Decimal(0)
    for row in rows:
        tier = ladder[row[which]]
        members[tier.code] += row[2]
        cost += Decimal(int(row[3] or 0)) * tier.discount_percent / 100
    return Replay(members, int(cost.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def what_if(current: dict, candidate: dict, since: datetime) -> list[WhatIf]:
    now, then = replay(current, candidate, since, utcnow())
    old, new = tiers_from(current["ladder"]), tiers_from(candidate["ladder"])
    names = {tier.code: tier.name for tier in (*old, *new)}  # the candidate's name wins
    in_old = {tier.code for tier in old}
    in_new = {tier.code for tier in new}
    codes = [tier.code for tier in new] + [tier.code for tier in old if tier.code not in in_new]
    members = tuple(WhatIfRow(names[code], now.members[code] if code in in_old else None,
                              then.members[code] if code in in_new else None)
                    for code in codes)
    cost = (WhatIfRow(_("Tier discounts on the period's orders"), now.discount, then.discount,
                      money=True),)
    return [
        WhatIf(_("Members per tier"), members,
               _("Members with an order in the window or the period, each in the highest tier "
                 "their net spend over the window, up to today, reaches (as the daily check "
                 "would place them, without the grace days). A dash: the tier is not in that "
                 "ladder.")),
        WhatIf(_("Discount cost"), cost,
               _("Each member's tier discount on what they paid in the period, shipping "
                 "excluded, with the tier they hold today under each setting.")),
    ]
