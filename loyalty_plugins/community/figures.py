"""Activity over a period, for the owner's figures (published as ``community_figures``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import distinct, func, select

from hooks import session
from loyalty_plugins.community.models import Comment, Report


def figures(start: datetime, end: datetime) -> dict[str, int]:
    comments, members = session().execute(
        select(func.count(), func.count(distinct(Comment.user_id)))
        .where(Comment.created_at >= start, Comment.created_at < end)).one()
    reports = session().scalar(select(func.count()).select_from(Report).where(
        Report.created_at >= start, Report.created_at < end))
    return {"comments": int(comments), "members": int(members), "reports": int(reports or 0)}
