"""The statements sent: one row per member and month, written with the message."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hooks import Model


class StatementSent(Model):
    """A member's statement for ``month`` (its first day): ``outcome`` ``sent`` (the message
    went to the outbox; the shop marks it not sent when the member stopped statements) or
    ``empty`` (nothing to report, no message). The primary key is the once-per-month lock."""

    __tablename__ = "statements_sent"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    outcome: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column()
