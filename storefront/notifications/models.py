from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.extensions import db
from storefront.timeutil import utcnow


class Notification(db.Model):
    """The outbox: a message to a member, written with what caused it, delivered after."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True, default=None)
    email: Mapped[str] = mapped_column(String(254))
    kind: Mapped[str] = mapped_column(String(64), default="transactional")
    plugin: Mapped[str] = mapped_column(String(64), default="")
    template: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # pending -> sent | failed (retried) | suppressed (marketing to a member who opted out)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(default=None)
    # The member's account (accounts.models.User), named rather than imported: accounts sits
    # above notifications (see storefront/notifications/__init__.py).
    member = relationship("User", viewonly=True)


class MessageOptOut(db.Model):
    """A kind of message (a plugin's ``<plugin>.<kind>``) a member stopped under **Message
    preferences**; no row: they get it."""

    __tablename__ = "message_opt_out"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
