"""The programme's points over a period, for the owner's figures (published as
``points_figures``): counted in the database from the lots and the ledger."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Subquery, func, literal, select, union_all

from hooks import session
from loyalty_plugins.points import config
from loyalty_plugins.points.models import PointsAccount, PointsEntry, PointsLot

ISSUING_SOURCES = ("earn", "bonus", "adjust")  # "refund" lots give spent points back
LIABLE_LOT_STATES = ("held",)  # guests' points, in no account until claimed


def _issuing(start: datetime, end: datetime):
    return (PointsLot.source.in_(ISSUING_SOURCES), PointsLot.created_at >= start,
            PointsLot.created_at < end)


def _given(start: datetime, end: datetime) -> int:
    return int(session().scalar(select(func.coalesce(func.sum(PointsLot.amount), 0)).where(
        *_issuing(start, end))) or 0)


def issued_per_member(start: datetime, end: datetime) -> Subquery:
    """(user_id, points, redeemed): the points given to each member in the period and those
    they spent in it (``points_issued``)."""
    given = select(PointsLot.user_id, PointsLot.amount.label("points"),
                   literal(0).label("redeemed")).where(*_issuing(start, end),
                                                       PointsLot.user_id.is_not(None))
    spent = select(PointsEntry.user_id, literal(0), -PointsEntry.delta).where(
        PointsEntry.kind == "spend", PointsEntry.created_at >= start,
        PointsEntry.created_at < end)
    both = union_all(given, spent).subquery()
    return (select(both.c.user_id, func.sum(both.c.points).label("points"),
                   func.sum(both.c.redeemed).label("redeemed"))
            .group_by(both.c.user_id).subquery("points_issued"))


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
