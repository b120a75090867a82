"""The community plugin's tables: comments, abuse reports, and one row per poster that
serialises a member's posts (the rate limit)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hooks import Model

VISIBLE, HIDDEN, DELETED = "visible", "hidden", "deleted"


class Comment(Model):
    __tablename__ = "community_comment"
    __table_args__ = (Index("ix_community_comment_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article: Mapped[str] = mapped_column(String(200), index=True)  # the article's slug
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown; emptied when deleted
    status: Mapped[str] = mapped_column(String(12), default=VISIBLE)  # visible|hidden|deleted
    created_at: Mapped[datetime] = mapped_column()
    edited_at: Mapped[datetime | None] = mapped_column(default=None)
    moderated_by: Mapped[str] = mapped_column(String(254), default="")
    moderated_at: Mapped[datetime | None] = mapped_column(default=None)


class Report(Model):
    __tablename__ = "community_report"
    __table_args__ = (UniqueConstraint("comment_id", "user_id",
                                       name="uq_community_report_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("community_comment.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class Poster(Model):
    """Locked (updated) before a member's comment is counted and written, so that two posts
    of one member at the same moment are counted one after the other."""

    __tablename__ = "community_poster"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    last_posted_at: Mapped[datetime | None] = mapped_column(default=None)
