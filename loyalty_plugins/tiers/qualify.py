"""Who is in which tier: upgrades at once, downgrades after refunds or a grace period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import g, has_request_context
from sqlalchemy import func, select

from hooks import (
    add_months,
    dialect_insert,
    emit,
    net_spend,
    order_history,
    plugin_settings,
    session,
)
from loyalty_plugins.tiers.models import TierChange, TierMember
from loyalty_plugins.tiers.programme import Tier, by_code, ladder, tier_for_spend

_KNOWN = "tiers_current_tier"  # flask.g: the tiers read in this request, by member


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def window_start(now: datetime) -> datetime:
    months = plugin_settings()["window_months"]
    return datetime.combine(add_months(now.date(), -months), now.time())


def spend_in_window(user_id: int, now: datetime) -> int:
    return net_spend(user_id, since=window_start(now))


def imported_in_window(user_id: int, now: datetime) -> int:
    """The member's imported history (orders from before the shop) in the window, net: shown
    beside the spend, which counts only orders paid in the shop."""
    history = order_history()
    return int(session().scalar(
        select(func.coalesce(func.sum(history.c.net), 0))
        .where(history.c.user_id == user_id, history.c.payment == "import",
               history.c.placed_at >= window_start(now))))


def _locked_member(user_id: int, now: datetime, base: Tier) -> TierMember:
    db = session()
    insert = dialect_insert(db)
    db.execute(insert(TierMember).values(user_id=user_id, tier_code=base.code, since=now)
               .on_conflict_do_nothing(index_elements=["user_id"]))
    return db.scalar(select(TierMember).where(TierMember.user_id == user_id)
                     .with_for_update().execution_options(populate_existing=True))


def _change(member: TierMember, to: Tier, reason: str, actor: str, now: datetime) -> None:
    session().add(TierChange(user_id=member.user_id, from_code=member.tier_code,
                             to_code=to.code, reason=reason[:300], actor=actor, at=now))
    emit("tiers.changed", aggregate_type="customer", aggregate_id=member.user_id,
         payload={"user_id": member.user_id, "old": member.tier_code, "new": to.code})
    member.tier_code = to.code
    member.since = now
    member.below_since = None
    if has_request_context():
        g.pop(_KNOWN, None)


def requalify(user_id: int, event: str, *, now: datetime, downgrade: str = "never",
              actor: str = "system") -> Tier:
    """Compare the member's tier with what they spent in the window.

    ``downgrade``: "never" (a payment: only upgrades), "now" (a refund took the spend
    away) or "after-grace" (the daily check: only once the grace period has passed).
    """
    tiers = ladder()
    member = _locked_member(user_id, now, tiers[0])
    current = by_code(member.tier_code, tiers)
    spend = spend_in_window(user_id, now)
    earned = tier_for_spend(spend, tiers)
    months = plugin_settings()["window_months"]
    why = f"{event}: {spend / 100:.2f} spent in the last {months} months"
    if earned.rank > current.rank or earned.rank < current.rank and downgrade == "now":
        _change(member, earned, why, actor, now)
    elif earned.rank < current.rank and downgrade == "after-grace":
        grace = timedelta(days=plugin_settings()["grace_days"])
        if member.below_since is None:
            member.below_since = now
        if now - member.below_since >= grace:
            _change(member, earned, f"{why}; the {grace.days}-day grace period ended",
                    actor, now)
    else:
        member.below_since = None
    return by_code(member.tier_code, tiers)


def daily_check(now: datetime | None = None) -> int:
    now = now or utcnow()
    base = ladder()[0].code
    ids = session().scalars(select(TierMember.user_id).where(TierMember.tier_code != base)
                            .order_by(TierMember.user_id)).all()
    for user_id in ids:
        requalify(user_id, "daily check", now=now, downgrade="after-grace")
        session().commit()
    return len(ids)


def current_tier(user_id: int) -> Tier:
    """The member's tier; read once per request (a page asks for it from the pricing, the
    points multiplier and the tier price of a product), forgotten when it changes."""
    known = g.setdefault(_KNOWN, {}) if has_request_context() else {}
    if user_id not in known:
        member = session().get(TierMember, user_id)
        known[user_id] = by_code(member.tier_code if member else None, ladder())
    return known[user_id]


def history(user_id: int) -> list[TierChange]:
    return list(session().scalars(select(TierChange).where(TierChange.user_id == user_id)
                                  .order_by(TierChange.id.desc()).limit(20)))
