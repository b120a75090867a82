"""The rewards given to members, one row each."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from hooks import Model


class Reward(Model):
    """A reward off one order. ``status``: ``available``, ``reserved`` (by the unpaid order
    ``order_id``), ``used`` (that order was paid), ``revoked``. Expiry is not stored: a reward
    past ``until`` that was not reserved has expired."""

    __tablename__ = "rewards_reward"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    label: Mapped[str] = mapped_column(String(200))
    label_args: Mapped[dict] = mapped_column(JSON, default=dict)
    percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2), default=None)
    amount: Mapped[int | None] = mapped_column(default=None)
    until: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default="available")
    order_id: Mapped[int | None] = mapped_column(default=None, index=True)
    granted_at: Mapped[datetime] = mapped_column()
