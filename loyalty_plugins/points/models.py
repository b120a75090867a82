"""The points ledger: lots (what was granted, for first-in first-out expiry), entries (every
change, append-only, with why and who) and a cached balance per member that always equals the
sum of the entries."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from hooks import Model
from loyalty_plugins.points.clock import utcnow

BUCKETS = ("available", "pending", "reserved")


class PointsAccount(Model):
    __tablename__ = "points_account"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    available: Mapped[int] = mapped_column(default=0)
    pending: Mapped[int] = mapped_column(default=0)
    reserved: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=0)  # bumped first: the account's lock


class PointsLot(Model):
    __tablename__ = "points_lot"
    # The account page's next expiry: one member's available lots in expiry order.
    __table_args__ = (Index("ix_points_lot_user_state_expires", "user_id", "state",
                            "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True, default=None)
    email: Mapped[str] = mapped_column(String(254), default="", index=True)  # guest orders
    source: Mapped[str] = mapped_column(String(16))  # earn | bonus | adjust | refund
    order_id: Mapped[int | None] = mapped_column(index=True, default=None)
    amount: Mapped[int] = mapped_column()
    remaining: Mapped[int] = mapped_column()
    # held | pending | available | frozen (payment disputed) | expired
    state: Mapped[str] = mapped_column(String(12), index=True)
    available_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    notice_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PointsEntry(Model):
    __tablename__ = "points_entry"
    # The history page: one member's entries, newest first, without sorting all of them.
    __table_args__ = (Index("ix_points_entry_user_id_id", "user_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    lot_id: Mapped[int | None] = mapped_column(ForeignKey("points_lot.id"), default=None)
    bucket: Mapped[str] = mapped_column(String(10))
    delta: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[int | None] = mapped_column(index=True, default=None)
    key: Mapped[str | None] = mapped_column(String(120), unique=True, default=None)
    reason: Mapped[str] = mapped_column(String(300), default="")
    actor: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class PointsReversal(Model):
    """What a refund took back from an order's earned points, once per refund id."""

    __tablename__ = "points_reversal"

    refund_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    order_id: Mapped[int] = mapped_column(index=True)
    user_id: Mapped[int | None] = mapped_column(default=None)
    due: Mapped[int] = mapped_column()  # points this refund should take back
    taken: Mapped[int] = mapped_column()
    forgiven: Mapped[int] = mapped_column()  # already spent: not taken twice
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


ADJUSTMENT_STATUSES = ("pending", "applied", "rejected")


class PointsAdjustment(Model):
    """A staff correction of a member's points, and what became of it: applied at once (at or
    under the approval limit), or pending until a manager approves (applied) or rejects it.
    Who asked and who decided are kept by id (for the checks) and by email (for the record,
    also after an account is gone)."""

    __tablename__ = "points_adjustment"
    # The audit page: pending requests first, then newest first.
    __table_args__ = (
        Index("ix_points_adjustment_status_id", "status", "id"),
        CheckConstraint("status IN ('pending', 'applied', 'rejected')",
                        name="ck_points_adjustment_status"),
        CheckConstraint("points <> 0", name="ck_points_adjustment_points"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    points: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10))
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    requester: Mapped[str] = mapped_column(String(254))
    decider_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), default=None)
    decider: Mapped[str] = mapped_column(String(254), default="")
    decision_note: Mapped[str] = mapped_column(String(300), default="")  # why it was rejected
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class PointsBoost(Model):
    """A member's points multiplied for a while (a win-back offer): orders paid before
    ``until`` earn ``multiplier`` times their points, on top of the tier's multiplier. Of
    several at once, the largest counts."""

    __tablename__ = "points_boost"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    multiplier: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    until: Mapped[datetime] = mapped_column()
    reason: Mapped[str] = mapped_column(String(200))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_points_boost_user_until", "user_id", "until"),)
