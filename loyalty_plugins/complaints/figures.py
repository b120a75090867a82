"""Service figures over the complaints filed in a period ``[start, end)`` (naive UTC), as
``complaints_figures`` publishes them and the managers' page shows them."""

from __future__ import annotations

from datetime import datetime
from statistics import median

from sqlalchemy import func, select

from hooks import session
from loyalty_plugins.complaints.models import DONE, Complaint


def _share(part: int, whole: int) -> int | None:
    """A whole percentage, rounded half up; None when there is nothing to divide."""
    return (part * 200 + whole) // (whole * 2) if whole else None


def met_sla(row, now: datetime) -> bool | None:
    """True when both targets were met, False when one was missed (an open complaint past a
    due time included), None while an open complaint can still meet them. A complaint
    closed without a reply counts its closing as its first answer."""
    done = row.status in DONE and row.resolved_at is not None
    answered = row.first_reply_at or (row.resolved_at if done else None)
    if (answered or now) > row.first_reply_due:
        return False
    if (row.resolved_at if done else now) > row.resolution_due:
        return False
    return True if done else None


def figures(start: datetime, end: datetime, now: datetime) -> dict:
    period = (Complaint.created_at >= start) & (Complaint.created_at < end)
    db = session()
    by_category = dict(db.execute(select(Complaint.category, func.count())
                                  .where(period).group_by(Complaint.category)).all())
    by_status = dict(db.execute(select(Complaint.status, func.count())
                                .where(period).group_by(Complaint.status)).all())
    rows = db.execute(select(Complaint.created_at, Complaint.first_reply_at,
                             Complaint.first_reply_due, Complaint.resolved_at,
                             Complaint.resolution_due, Complaint.status, Complaint.satisfied)
                      .where(period)).all()
    waits = [(row.first_reply_at - row.created_at).total_seconds() / 60 for row in rows
             if row.first_reply_at is not None]
    outcomes = [met_sla(row, now) for row in rows]
    within, missed = outcomes.count(True), outcomes.count(False)
    rated = [row.satisfied for row in rows if row.satisfied is not None]
    return {
        "complaints": len(rows),
        "by_category": by_category,
        "by_status": by_status,
        "median_first_reply_minutes": round(median(waits)) if waits else None,
        "within_sla": within,
        "missed_sla": missed,
        "within_sla_percent": _share(within, within + missed),
        "rated": len(rated),
        "satisfied": sum(rated),
        "satisfied_percent": _share(sum(rated), len(rated)),
    }
