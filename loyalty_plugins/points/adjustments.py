"""Staff corrections of members' points, with separation of duties.

Nobody corrects their own points. A correction of at most ``approval_above`` points (added or
taken) is applied at once; a larger one waits as a pending request until a manager or the
owner, who is neither the one who asked nor the member, approves it (it is applied then,
once) or rejects it. So that a large correction cannot be split into small ones, what one
person applied without approval to one member in the last 24 hours counts towards the limit.
Every correction is recorded with who asked, for whom, why and what became of it. Everything
here runs inside the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from hooks import CustomerView, session
from hooks import gettext as _
from loyalty_plugins.points import ledger
from loyalty_plugins.points.config import PointsConfig
from loyalty_plugins.points.models import PointsAdjustment


class Refused(ledger.PointsError):
    """Separation of duties: this person may not do this (answered 403); nothing changed."""


class NotFound(LookupError):
    """No correction with that id."""


def request(member: CustomerView, actor: CustomerView, points: int, reason: str,
            cfg: PointsConfig, *, now: datetime) -> PointsAdjustment:
    """Correct ``member``'s points by ``points``: at once when within the approval limit, else
    as a pending request. Refused when ``actor`` is the member."""
    if actor.id == member.id:
        raise Refused(_("You cannot change your own points; ask another member of staff."))
    ledger.lock_account(member.id)  # one correction of this member at a time: the sum holds
    row = PointsAdjustment(user_id=member.id, points=points, reason=reason[:300],
                           status="pending", requester_id=actor.id,
                           requester=(actor.email or "")[:254], created_at=now)
    if applied_lately(member.id, actor.id, now=now) + abs(points) <= cfg.approval_above:
        ledger.adjust(member.id, points, ledger.Who(reason, row.requester), cfg, now=now)
        row.status, row.decided_at = "applied", now
    session().add(row)
    return row


def applied_lately(member_id: int, requester_id: int, *, now: datetime) -> int:
    """Points (added or taken) ``requester_id`` applied to ``member_id`` without approval in
    the 24 hours before ``now``."""
    return session().scalar(select(func.coalesce(func.sum(func.abs(PointsAdjustment.points)), 0))
                            .where(PointsAdjustment.user_id == member_id,
                                   PointsAdjustment.requester_id == requester_id,
                                   PointsAdjustment.status == "applied",
                                   PointsAdjustment.decider_id.is_(None),
                                   PointsAdjustment.created_at > now - timedelta(hours=24)))


def refusal(row: PointsAdjustment, actor: CustomerView) -> str | None:
    """Why ``actor`` may not approve or reject ``row``; None when they may."""
    if not actor.has_role("manager"):
        return _("Only a manager or the owner approves or rejects a correction.")
    if actor.id == row.requester_id:
        return _("You asked for this correction; another manager or the owner decides on it.")
    if actor.id == row.user_id:
        return _("This correction is for your own points; another manager or the owner "
                 "decides on it.")
    return None


def approve(adjustment_id: int, actor: CustomerView, cfg: PointsConfig, *,
            now: datetime) -> PointsAdjustment:
    """Apply a pending correction, exactly once (PointsError if it was already decided, or
    if the member no longer has the points it takes)."""
    row = _decide(adjustment_id, actor, "applied", "", now=now)
    who = ledger.Who(row.reason, f"{row.requester}, approved by {row.decider}")
    ledger.adjust(row.user_id, row.points, who, cfg, now=now)
    return row


def reject(adjustment_id: int, actor: CustomerView, note: str, *,
           now: datetime) -> PointsAdjustment:
    """Turn a pending correction down, saying why; the points do not change."""
    if not note:
        raise ledger.PointsError(_("Say why you reject the correction: it is kept on record."))
    return _decide(adjustment_id, actor, "rejected", note, now=now)


def _decide(adjustment_id: int, actor: CustomerView, status: str, note: str, *,
            now: datetime) -> PointsAdjustment:
    row = session().get(PointsAdjustment, adjustment_id)
    if row is None:
        raise NotFound(adjustment_id)
    refused = refusal(row, actor)
    if refused:
        raise Refused(refused)
    # Only the decision that finds the request still pending changes it: a second approval
    # (at the same moment, or a form sent twice) waits for the first and then finds nothing.
    decided = session().execute(
        update(PointsAdjustment)
        .where(PointsAdjustment.id == adjustment_id, PointsAdjustment.status == "pending")
        .values(status=status, decider_id=actor.id, decider=(actor.email or "")[:254],
                decided_at=now, decision_note=note[:300])
        .execution_options(synchronize_session=False)).rowcount
    row = session().get(PointsAdjustment, adjustment_id, populate_existing=True)
    if not decided:
        raise ledger.PointsError(_already(row))
    return row


def _already(row: PointsAdjustment) -> str:
    """Why a decision on ``row`` came too late: what became of it, and who decided."""
    if row.status == "applied" and not row.decider:
        return _("This correction was already applied (no approval needed).")
    if row.status == "applied":
        return _("This correction was already approved by %(who)s.", who=row.decider)
    return _("This correction was already rejected by %(who)s.", who=row.decider)


def pending() -> list[PointsAdjustment]:
    return list(session().scalars(select(PointsAdjustment).where(
        PointsAdjustment.status == "pending").order_by(PointsAdjustment.id.desc())))


def decided(limit: int, offset: int) -> list[PointsAdjustment]:
    return list(session().scalars(select(PointsAdjustment).where(
        PointsAdjustment.status != "pending").order_by(PointsAdjustment.id.desc())
        .limit(limit).offset(offset)))


def pending_for(user_id: int) -> list[PointsAdjustment]:
    return list(session().scalars(select(PointsAdjustment).where(
        PointsAdjustment.user_id == user_id, PointsAdjustment.status == "pending")
        .order_by(PointsAdjustment.id.desc())))


__all__ = ["NotFound", "Refused", "approve", "decided", "pending", "pending_for", "refusal",
           "reject", "request"]
