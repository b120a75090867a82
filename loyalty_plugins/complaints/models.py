"""The complaints plugin's tables: complaints, their thread (replies, the member's messages
and staff notes), attachments, goodwill compensations, the rate-limit rows of filers and the
days whose digest went out."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hooks import Model

NEW, IN_PROGRESS, WAITING, RESOLVED, CLOSED = (
    "new", "in_progress", "waiting", "resolved", "closed")
STATUSES = (NEW, IN_PROGRESS, WAITING, RESOLVED, CLOSED)
OPEN = (NEW, IN_PROGRESS, WAITING)
DONE = (RESOLVED, CLOSED)
FOLLOW_UP = "follow-up"  # a task for staff (a survey's detractor); the member sees it once answered
CATEGORIES = ("order", "product", "event", "service", FOLLOW_UP)
FILED = ("order", "product", "event", "service")  # what members and guests choose from
KINDS = ("complaint", "claim")
# Thread entries: a staff reply the member reads, the member's own message, a staff note.
REPLY, MEMBER, NOTE = "reply", "member", "note"


class Complaint(Model):
    __tablename__ = "complaints_complaint"
    __table_args__ = (Index("ix_complaints_complaint_status_created", "status", "created_at"),
                      Index("ix_complaints_complaint_filer_created", "filer", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    email: Mapped[str] = mapped_column(String(254))  # where replies go (a guest's address)
    name: Mapped[str] = mapped_column(String(200), default="")
    origin: Mapped[str] = mapped_column(String(12))  # member | guest | surveys | a plugin
    filer: Mapped[str] = mapped_column(String(80), default="")  # its Filer key (rate limit)
    kind: Mapped[str] = mapped_column(String(12), default="complaint")
    category: Mapped[str] = mapped_column(String(16))
    about: Mapped[str] = mapped_column(String(200), default="")  # a product, an event ...
    order_id: Mapped[int | None] = mapped_column(index=True)
    text: Mapped[str] = mapped_column(Text)  # Markdown as typed; shown through nh3
    status: Mapped[str] = mapped_column(String(12), default=NEW)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    source_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column()
    first_reply_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    first_reply_due: Mapped[datetime] = mapped_column()
    resolution_due: Mapped[datetime] = mapped_column()
    satisfied: Mapped[bool | None] = mapped_column(default=None)
    rated_at: Mapped[datetime | None] = mapped_column(default=None)


class Entry(Model):
    __tablename__ = "complaints_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints_complaint.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # reply | member | note
    author_id: Mapped[int | None] = mapped_column()
    author: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column()


class Attachment(Model):
    __tablename__ = "complaints_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints_complaint.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))  # as uploaded, cleaned
    stored: Mapped[str] = mapped_column(String(80))  # the file's name in the instance folder
    media_type: Mapped[str] = mapped_column(String(40))  # sniffed from its first bytes
    size: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()


class Compensation(Model):
    __tablename__ = "complaints_compensation"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaints_complaint.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # points | reward
    points: Mapped[int] = mapped_column(default=0)
    amount: Mapped[int] = mapped_column(default=0)  # a reward's amount off, minor units
    status: Mapped[str] = mapped_column(String(10), default="proposed")  # approved | declined
    proposed_by: Mapped[str] = mapped_column(String(200))
    proposed_at: Mapped[datetime] = mapped_column()
    decided_by: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class Filer(Model):
    """Locked (updated) before a filer's complaint or message is counted and written, so
    that two at the same moment are counted one after the other (the rate limit)."""

    __tablename__ = "complaints_filer"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)  # user:<id> | <address hash>
    last_at: Mapped[datetime | None] = mapped_column(default=None)
    # A guest's wrong order number and address pairs since ``missed_since`` (guessing).
    misses: Mapped[int] = mapped_column(default=0)
    missed_since: Mapped[datetime | None] = mapped_column(default=None)


class Digest(Model):
    """One row per shop day whose digest went to the managers."""

    __tablename__ = "complaints_digest"

    day: Mapped[date] = mapped_column(primary_key=True)
    sent_at: Mapped[datetime] = mapped_column()
