"""The programme's points over a period, for the owner's figures (published as
``points_figures``): counted in the database from the lots and the ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from hooks import session
from loyalty_plugins.points import config
from loyalty_plugins.points.models import PointsAccount, PointsEntry, PointsLot

ISSUING_SOURCES = ("earn", "bonus", "adjust")  # "refund" lots give spent points back
LIABLE_LOT_STATES = ("held",)  # guests' points, in no account until claimed


def _given(start: datetime, end: datetime) -> int:
    return int(session().scalar(select(func.coalesce(func.sum(PointsLot.amount), 0)).where(
        PointsLot.source.in_(ISSUING_SOURCES), PointsLot.created_at >= start,
        PointsLot.created_at < end)) or 0)


def _taken(kind: str, start: datetime, end: datetime) -> int:
    """Points that left accounts through entries of ``kind`` in the period (a positive count)."""
    return -int(session().scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
        PointsEntry.kind == kind, PointsEntry.created_at >= start,
        PointsEntry.created_at < end)) or 0)


def _outstanding() -> int:
    """Points members and guests hold today: usable, pending, held for unpaid orders, and
    guests' points waiting for an account."""
    accounts = session().scalar(select(func.coalesce(func.sum(
        PointsAccount.available + PointsAccount.pending + PointsAccount.reserved), 0)))
    guests = session().scalar(select(func.coalesce(func.sum(PointsLot.remaining), 0)).where(
        PointsLot.state.in_(LIABLE_LOT_STATES)))
    return int(accounts or 0) + int(guests or 0)


def figures(start: datetime, end: datetime) -> dict[str, int]:
    return {"issued": _given(start, end), "redeemed": _taken("spend", start, end),
            "expired": _taken("expire", start, end), "outstanding": _outstanding(),
            "point_value": config.current().point_value}
