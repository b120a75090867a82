from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hooks import Model


class Card(Model):
    __tablename__ = "cards_card"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    type_code: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(16), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column()
    valid_until: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(12), default="active")  # active | revoked
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_by: Mapped[str] = mapped_column(String(254), default="")
    issued_by: Mapped[str] = mapped_column(String(254), default="system")

    def is_valid(self, now: datetime) -> bool:
        return self.status == "active" and (self.valid_until is None or self.valid_until > now)
