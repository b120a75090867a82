"""The transactional outbox: domain events, and one delivery row per event and consumer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storefront.extensions import db
from storefront.timeutil import utcnow


class DomainEvent(db.Model):
    """Something that happened, written in the same transaction as the change itself."""

    __tablename__ = "domain_event"

    id: Mapped[int] = mapped_column(primary_key=True)  # the order events were written in
    uid: Mapped[str] = mapped_column(String(36), unique=True)  # stable id, given to consumers
    type: Mapped[str] = mapped_column(String(64), index=True)  # "order.paid", "points.earned"
    version: Mapped[int] = mapped_column(default=1)
    aggregate_type: Mapped[str] = mapped_column(String(32))  # "order", "customer"
    aggregate_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(64), default="shop")  # "shop" or a plugin
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_domain_event_aggregate", "aggregate_type", "aggregate_id"),)


class EventDelivery(db.Model):
    """One consumer's (a plugin's, or the shop's messages') handling of one event.

    pending -> done | failed (retried with growing pauses) -> dead (the dead-letter list,
    where staff retry or dismiss it)."""

    __tablename__ = "event_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("domain_event.id", ondelete="CASCADE"))
    consumer: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(default=None)

    __table_args__ = (
        UniqueConstraint("event_id", "consumer", name="uq_event_delivery_event_consumer"),
        Index("ix_event_delivery_due", "status", "next_attempt_at"),
    )
