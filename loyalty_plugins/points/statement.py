"""One member's points over a period, for an account statement (published as
``points_statement``): counted as the owner's figures count them, for one member."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from hooks import session
from loyalty_plugins.points import config, figures, ledger
from loyalty_plugins.points.clock import local_date
from loyalty_plugins.points.models import PointsEntry, PointsLot

EXPIRING_WITHIN = timedelta(days=30)


def _taken(user_id: int, start: datetime, end: datetime) -> dict[str, int]:
    """Points that left the member's account in the period, by kind (``spend``,
    ``expire``), as positive counts."""
    rows = session().execute(select(PointsEntry.kind, func.sum(PointsEntry.delta)).where(
        PointsEntry.user_id == user_id, PointsEntry.kind.in_(("spend", "expire")),
        PointsEntry.created_at >= start, PointsEntry.created_at < end)
        .group_by(PointsEntry.kind)).all()
    return {kind: -int(total) for kind, total in rows}


def _expiring(user_id: int, now: datetime) -> list[tuple[int, date]]:
    tz = config.current().tz
    rows = session().execute(select(PointsLot.expires_at, func.sum(PointsLot.remaining)).where(
        PointsLot.user_id == user_id, PointsLot.state == "available", PointsLot.remaining > 0,
        PointsLot.expires_at.is_not(None), PointsLot.expires_at > now,
        PointsLot.expires_at <= now + EXPIRING_WITHIN)
        .group_by(PointsLot.expires_at).order_by(PointsLot.expires_at)).all()
    return [(int(points), local_date(moment, tz)) for moment, points in rows]


def statement(user_id: int, start: datetime, end: datetime, now: datetime) -> dict:
    earned = session().scalar(select(func.coalesce(func.sum(PointsLot.amount), 0)).where(
        PointsLot.user_id == user_id, PointsLot.source.in_(figures.ISSUING_SOURCES),
        PointsLot.created_at >= start, PointsLot.created_at < end))
    account, taken = ledger.balance(user_id), _taken(user_id, start, end)
    return {"earned": int(earned or 0), "spent": taken.get("spend", 0),
            "expired": taken.get("expire", 0),
            "balance": ledger.usable(user_id, now),
            "pending": account.pending if account else 0,
            "expiring": _expiring(user_id, now)}
