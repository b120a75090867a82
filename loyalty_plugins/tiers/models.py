from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hooks import Model


class TierMember(Model):
    __tablename__ = "tiers_member"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    tier_code: Mapped[str] = mapped_column(String(64))
    since: Mapped[datetime] = mapped_column()
    below_since: Mapped[datetime | None] = mapped_column(default=None)


class TierChange(Model):
    """Every change of a member's tier, with why and who or what made it."""

    __tablename__ = "tiers_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    from_code: Mapped[str] = mapped_column(String(64), default="")
    to_code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(300))
    actor: Mapped[str] = mapped_column(String(254), default="system")
    at: Mapped[datetime] = mapped_column()
