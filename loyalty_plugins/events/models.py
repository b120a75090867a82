from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hooks import Model


class Event(Model):
    """The database side of an event file: its seat count, waitlist counter and invitations."""

    __tablename__ = "events_event"
    __table_args__ = (CheckConstraint("seats_taken >= 0", name="seats_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column()
    capacity: Mapped[int] = mapped_column()
    seat_cost: Mapped[int] = mapped_column(default=0, server_default="0")  # minor units
    seats_taken: Mapped[int] = mapped_column(default=0)
    waitlist_seq: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=0)  # bumped to lock the row
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    invited_at: Mapped[datetime | None] = mapped_column(default=None)


class Registration(Model):
    """A member's place at an event: a ticket (confirmed), a hold by an unpaid order
    (pending), a place on the waitlist, or a cancelled one. One row per member and event."""

    __tablename__ = "events_registration"
    __table_args__ = (
        UniqueConstraint("event_id", "user_id", name="uq_events_registration_member"),
        Index("ix_events_registration_waitlist", "event_id", "status", "waitlist_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events_event.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    status: Mapped[str] = mapped_column(String(12))  # confirmed|pending|waitlisted|cancelled
    guests: Mapped[int] = mapped_column(default=0)
    waitlist_position: Mapped[int | None] = mapped_column(default=None)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    order_id: Mapped[int | None] = mapped_column(default=None, index=True)
    created_at: Mapped[datetime] = mapped_column()
    updated_at: Mapped[datetime] = mapped_column()
    checked_in_at: Mapped[datetime | None] = mapped_column(default=None)
    checked_in_by: Mapped[str] = mapped_column(String(254), default="")

    @property
    def seats(self) -> int:
        return 1 + self.guests
