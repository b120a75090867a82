"""The addresses that were welcomed, and what each account got."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from hooks import Model


class WelcomedAddress(Model):
    """One row per e-mail address ever welcomed: the SHA-256 of the address, lower case, so
    the address itself is not kept once its account is gone."""

    __tablename__ = "welcome_address"

    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column()  # the account welcomed first; kept as is
    welcomed_at: Mapped[datetime] = mapped_column()


class Welcome(Model):
    """What one account got: ``outcome`` ``welcomed``, or ``address_used`` when its address
    was welcomed before (no gift, no message). A reward's status is kept by the rewards
    plugin (key ``welcome:<user_id>``)."""

    __tablename__ = "welcome_member"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    outcome: Mapped[str] = mapped_column(String(16))
    gift: Mapped[str] = mapped_column(String(16), default="none")
    points: Mapped[int] = mapped_column(default=0)
    reward_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2), default=None)
    reward_amount: Mapped[int | None] = mapped_column(default=None)
    reward_until: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column()
