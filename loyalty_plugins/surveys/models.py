"""Surveys (one per paid order of a member, one per event a member attended) and their
answers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hooks import Model


class Survey(Model):
    """One invitation to answer: ``subject`` (``order:<order id>`` or ``event:<registration
    id>``) is unique, so a delivery repeated never makes a second survey. ``answered_at`` is
    the used flag of the link: set once, by a conditional UPDATE."""

    __tablename__ = "surveys_survey"
    __table_args__ = (Index("ix_surveys_survey_due", "invited_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[str] = mapped_column(String(8))  # order | event
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    order_id: Mapped[int | None] = mapped_column(default=None, index=True)
    order_number: Mapped[str] = mapped_column(String(40), default="")
    event_slug: Mapped[str] = mapped_column(String(100), default="", index=True)
    event_title: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()
    invited_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)


class SurveyProduct(Model):
    """The products of a surveyed order, for the figures per product."""

    __tablename__ = "surveys_product"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys_survey.id", ondelete="CASCADE"),
                                           primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    title: Mapped[str] = mapped_column(String(200))


class Answer(Model):
    """What the member answered: the NPS score (0-10) and why, and the 1-5 marks."""

    __tablename__ = "surveys_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("surveys_survey.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int] = mapped_column(index=True)
    nps: Mapped[int] = mapped_column()
    reason: Mapped[str] = mapped_column(Text, default="")
    delivery: Mapped[int | None] = mapped_column(default=None)
    product: Mapped[int | None] = mapped_column(default=None)
    service: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(index=True)


class ServqualScore(Model):
    """One SERVQUAL dimension of an answer: expectation and perception (1-7), with the words
    of the two items as the member read them."""

    __tablename__ = "surveys_servqual"

    answer_id: Mapped[int] = mapped_column(ForeignKey("surveys_answer.id", ondelete="CASCADE"),
                                           primary_key=True)
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    expectation: Mapped[int] = mapped_column()
    perception: Mapped[int] = mapped_column()
    expectation_item: Mapped[str] = mapped_column(Text, default="")
    perception_item: Mapped[str] = mapped_column(Text, default="")
