"""The owner's table: what each member's referrals brought (the influence on others)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select

from hooks import get_customers, order_history, session
from loyalty_plugins.referrals.models import Referral, ReferralRefusal


@dataclass
class Row:
    user_id: int
    name: str
    email: str
    referred: int = 0  # friends who joined with the member's code (blocked ones included)
    rewarded: int = 0
    reversed: int = 0
    blocked: int = 0  # referrals blocked, and code entries refused
    revenue: int = 0  # what the friends' paid orders brought, net of refunds (minor units)


def per_member() -> list[Row]:
    """One row per member who referred anyone, most rewarded first: three grouped queries,
    whatever the number of members."""
    db = session()

    def count(state: str):
        return func.sum(case((Referral.state == state, 1), else_=0))

    rows: dict[int, Row] = {}
    for referrer, referred, rewarded, reversed_, blocked in db.execute(
            select(Referral.referrer_id, func.count(), count("rewarded"), count("reversed"),
                   count("blocked")).group_by(Referral.referrer_id)):
        rows[referrer] = Row(referrer, "", "", referred, rewarded or 0, reversed_ or 0,
                             blocked or 0)
    for referrer, refused in db.execute(select(ReferralRefusal.referrer_id, func.count())
                                        .group_by(ReferralRefusal.referrer_id)):
        rows.setdefault(referrer, Row(referrer, "", "")).blocked += refused
    history = order_history()
    for referrer, revenue in db.execute(
            select(Referral.referrer_id, func.sum(history.c.net))
            .join(history, history.c.user_id == Referral.referee_id)
            .where(Referral.state != "blocked").group_by(Referral.referrer_id)):
        rows[referrer].revenue = int(revenue or 0)
    people = get_customers(rows)
    for row in rows.values():
        person = people.get(row.user_id)
        row.name, row.email = (person.name or "", person.email or "") if person else ("", "")
    return sorted(rows.values(), key=lambda r: (-r.rewarded, -r.revenue, r.user_id))
