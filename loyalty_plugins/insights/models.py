from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hooks import Model


class CustomerFigures(Model):
    """One customer's figures as the last refresh computed them (snapshot.py)."""

    __tablename__ = "insights_customer"
    __table_args__ = (Index("ix_insights_customer_segment", "segment"),)

    customer: Mapped[str] = mapped_column(String(254), primary_key=True)  # e-mail, lower case
    user_id: Mapped[int | None] = mapped_column(index=True, default=None)
    orders: Mapped[int] = mapped_column()
    net: Mapped[int] = mapped_column()  # minor units, paid minus refunded
    days_since: Mapped[int] = mapped_column()  # since the last purchase
    recency: Mapped[int] = mapped_column()  # scores 1-5
    frequency: Mapped[int] = mapped_column()
    monetary: Mapped[int] = mapped_column()
    segment: Mapped[str] = mapped_column(String(32))
    # One band of each trait (behaviour.py).
    frequency_band: Mapped[str] = mapped_column(String(16), default="once")
    volume_band: Mapped[str] = mapped_column(String(16), default="low")
    payment_band: Mapped[str] = mapped_column(String(16), default="unknown")
    # From the value models, when they could be fitted (None otherwise).
    probability_active: Mapped[float | None] = mapped_column(Float, default=None)
    expected_orders: Mapped[float | None] = mapped_column(Float, default=None)  # next 365 days
    expected_value: Mapped[int | None] = mapped_column(default=None)  # their net, minor units
    computed_at: Mapped[datetime] = mapped_column()


class Summary(Model):
    """The shop-wide figures of the last refresh: buying again over the last 365 days, and
    churn. One row."""

    __tablename__ = "insights_summary"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column()
    customers: Mapped[int] = mapped_column()  # who bought in the last 365 days
    repeat_customers: Mapped[int] = mapped_column()  # of whom bought twice or more in them
    loyal_customers: Mapped[int] = mapped_column()  # at least the setting's orders in them
    loyal_min_orders: Mapped[int] = mapped_column()  # the setting, then
    gaps: Mapped[int] = mapped_column()
    mean_days: Mapped[float | None] = mapped_column(Float, default=None)
    median_days: Mapped[float | None] = mapped_column(Float, default=None)
    churn_customers: Mapped[int] = mapped_column()  # with two or more purchases
    churned: Mapped[int] = mapped_column()


class SegmentMessage(Model):
    """A message the owner or a manager wrote to the members of a segment (messages.py)."""

    __tablename__ = "insights_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The form's one-time token: the same form sent twice sends once.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    segment: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text)
    sender: Mapped[str] = mapped_column(String(254))
    recipients: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column()
    # The offer each member got with it (offers.py): "" (none), "percent" or "amount" (a
    # reward off one order) or "points" (their points multiplied), for ``offer_days``.
    offer: Mapped[str] = mapped_column(String(8), default="")
    offer_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2), default=None)
    offer_amount: Mapped[int | None] = mapped_column(default=None)
    offer_multiplier: Mapped[Decimal | None] = mapped_column(Numeric(4, 2), default=None)
    offer_days: Mapped[int] = mapped_column(default=0)


class OfferOpen(Model):
    """A member opened the page of the offer a segment message gave them (first time)."""

    __tablename__ = "insights_offer_open"

    message_id: Mapped[int] = mapped_column(
        ForeignKey("insights_message.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    opened_at: Mapped[datetime] = mapped_column()


class CustomerHistory(Model):
    """One customer's purchases in sums (history.py): what RFM, churn and the bands read, kept
    up to date from the order events, so a refresh reads a row per customer instead of every
    order."""

    __tablename__ = "insights_history"

    customer: Mapped[str] = mapped_column(String(254), primary_key=True)  # e-mail, lower case
    user_id: Mapped[int | None] = mapped_column(default=None)  # the highest of their orders'
    orders: Mapped[int] = mapped_column()
    first_at: Mapped[datetime] = mapped_column()
    last_at: Mapped[datetime] = mapped_column()
    net: Mapped[int] = mapped_column(BigInteger)  # minor units, paid minus refunded
    transfer_orders: Mapped[int] = mapped_column()  # paid by bank transfer
    known_payment_orders: Mapped[int] = mapped_column()  # paid in this shop (not imported)
    refunded_orders: Mapped[int] = mapped_column()  # refunded in part or in full


class Purchase(Model):
    """One order of ``hooks.order_history`` with what repurchase needs of the customer's
    orders around it (history.py), kept with ``CustomerHistory``."""

    __tablename__ = "insights_purchase"
    __table_args__ = (
        # Repurchase over a period reads this index alone (history.repurchase_kept).
        Index("ix_insights_purchase_placed", "placed_at", "previous_at", "later", "gap_days"),
    )

    order_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    customer: Mapped[str] = mapped_column(String(254), index=True)
    placed_at: Mapped[datetime] = mapped_column()
    previous_at: Mapped[datetime | None] = mapped_column(default=None)  # their order before
    gap_days: Mapped[float | None] = mapped_column(Float, default=None)  # since that one
    later: Mapped[int] = mapped_column()  # how many of their orders came after this one
