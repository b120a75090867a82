"""An answered survey made up for a demo or test shop (``surveys_sample_answer``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from hooks import get_order, order_history, session
from loyalty_plugins.surveys.invitations import plan_order
from loyalty_plugins.surveys.models import Answer, Survey

MIDDLING = 4  # the 1-5 marks a sample answer gives


def answered(user_id: int, nps: int, reason: str, now: datetime) -> bool:
    """Answer the survey of the member's latest order (planned now if it has none); False
    when the member has no order or that survey was answered."""
    history = order_history()
    order_id = session().scalar(select(history.c.order_id).where(history.c.user_id == user_id)
                                .order_by(history.c.placed_at.desc()).limit(1))
    order = get_order(order_id) if order_id is not None else None
    if order is None:
        return False
    plan_order(order, now, due_at=now)
    survey_id = session().scalar(select(Survey.id).where(Survey.order_id == order.id))
    taken = session().execute(
        update(Survey).where(Survey.id == survey_id, Survey.answered_at.is_(None))
        .values(invited_at=now, expires_at=now, answered_at=now)).rowcount
    if not taken:
        return False
    session().add(Answer(survey_id=survey_id, user_id=user_id, nps=nps, reason=reason,
                         delivery=MIDDLING, product=MIDDLING, service=MIDDLING,
                         created_at=now))
    session().flush()
    return True
