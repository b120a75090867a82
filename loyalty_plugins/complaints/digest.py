"""The managers' daily digest: once per day of the shop's time zone (the day's row is
inserted once, so two workers running the job send it once), the open complaints, the
overdue ones first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hooks import insert_once, lazy_gettext, members, notify, session, today
from loyalty_plugins.complaints.models import OPEN, Complaint, Digest
from loyalty_plugins.complaints.service import overdue
from loyalty_plugins.complaints.words import CATEGORY_NAMES, STATUS_NAMES, reference

TEMPLATE = "complaints_digest.txt"


def open_complaints(now: datetime) -> list[tuple[Complaint, bool]]:
    """Every open complaint with whether it is overdue: overdue first, oldest first."""
    found = session().scalars(select(Complaint).where(Complaint.status.in_(OPEN))
                              .order_by(Complaint.created_at, Complaint.id)).all()
    marked = [(complaint, overdue(complaint, now)) for complaint in found]
    return sorted(marked, key=lambda pair: not pair[1])


def send(now: datetime) -> bool:
    """Send today's digest unless it went out; True when this call sent it."""
    day = today()
    if not insert_once(Digest, ["day"], day=day, sent_at=now):
        return False
    rows = [{"reference": reference(c.id), "category": c.category, "status": c.status,
             "overdue": late, "created_at": c.created_at} for c, late in open_complaints(now)]
    late = sum(1 for row in rows if row["overdue"])
    for manager in members():
        if manager.has_role("manager"):
            notify(TEMPLATE, lazy_gettext("Complaints on %(day)s: %(open)s open, %(late)s "
                                          "overdue", day=day.isoformat(), open=len(rows),
                                          late=late),
                   user_id=manager.id, rows=rows, day=day, statuses=STATUS_NAMES,
                   categories=CATEGORY_NAMES)
    return True
