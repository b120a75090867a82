"""Codes, referrals, refused code entries and each referrer's rewards per month."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hooks import Model

USER = "user_account.id"


class ReferralCode(Model):
    """A member's personal code, made the first time they see it."""

    __tablename__ = "referrals_code"

    user_id: Mapped[int] = mapped_column(ForeignKey(USER, ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[datetime] = mapped_column()


class Referral(Model):
    """A referee who joined with a referrer's code: one per referee.

    ``state``: ``pending`` (no paid order yet), ``waiting`` (first order paid, return window
    open until ``due_at``), ``rewarded``, ``reversed`` (refunded before ``due_at``) or
    ``blocked``; ``block`` says why for the last two (see blocks.py)."""

    __tablename__ = "referrals_referral"

    id: Mapped[int] = mapped_column(primary_key=True)
    referee_id: Mapped[int] = mapped_column(ForeignKey(USER, ondelete="CASCADE"), unique=True)
    referrer_id: Mapped[int] = mapped_column(ForeignKey(USER, ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(12), default="pending", index=True)
    block: Mapped[str] = mapped_column(String(24), default="")
    order_id: Mapped[int | None] = mapped_column(default=None, index=True)
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    points: Mapped[int] = mapped_column(default=0)  # given to the referrer
    created_at: Mapped[datetime] = mapped_column()
    settled_at: Mapped[datetime | None] = mapped_column(default=None)


class ReferralRefusal(Model):
    """A code a shopper entered that was refused, with why (blocks.py)."""

    __tablename__ = "referrals_refusal"

    id: Mapped[int] = mapped_column(primary_key=True)
    referee_id: Mapped[int] = mapped_column(ForeignKey(USER, ondelete="CASCADE"), index=True)
    referrer_id: Mapped[int] = mapped_column(ForeignKey(USER, ondelete="CASCADE"), index=True)
    block: Mapped[str] = mapped_column(String(24))
    created_at: Mapped[datetime] = mapped_column()


class ReferralQuota(Model):
    """How many referral rewards a referrer got in a month of the shop's calendar
    (``2027-03``): the monthly limit is a conditional update of this row."""

    __tablename__ = "referrals_quota"

    referrer_id: Mapped[int] = mapped_column(ForeignKey(USER, ondelete="CASCADE"),
                                             primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    rewarded: Mapped[int] = mapped_column(default=0)
