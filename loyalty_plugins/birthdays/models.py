"""Members' birthdays, every change made to them, and the greetings sent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hooks import Model


class Birthday(Model):
    """A member's birthday: day and month, the year if they gave it."""

    __tablename__ = "birthdays_birthday"

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         primary_key=True)
    day: Mapped[int] = mapped_column()
    month: Mapped[int] = mapped_column(index=True)
    year: Mapped[int | None] = mapped_column(default=None)
    # When it was last given: a late greeting is only for a birthday known on the day.
    updated_at: Mapped[datetime] = mapped_column()


class BirthdayChange(Model):
    """One change to a member's birthday: values as ``1990-02-29`` or ``--02-29``, empty
    for none; ``changed_by``: the e-mail address of who made it."""

    __tablename__ = "birthdays_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"),
                                         index=True)
    old_value: Mapped[str] = mapped_column(String(10))
    new_value: Mapped[str] = mapped_column(String(10))
    changed_by: Mapped[str] = mapped_column(String(254))
    changed_at: Mapped[datetime] = mapped_column()


class Greeting(Model):
    """A greeting sent: one per member, kind (``birthday``, ``anniversary``) and year, which
    the unique key keeps so under any number of jobs and workers. ``gift``: ``points``,
    ``reward`` (``reward_key`` names it in the rewards plugin) or ``none``."""

    __tablename__ = "birthdays_greeting"
    __table_args__ = (UniqueConstraint("user_id", "kind", "year",
                                       name="uq_birthdays_greeting_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    year: Mapped[int] = mapped_column()
    # The day greeted (28 February for 29 February in other years, see dates).
    occasion: Mapped[date] = mapped_column(index=True)
    gift: Mapped[str] = mapped_column(String(12), default="none")
    points: Mapped[int] = mapped_column(default=0)
    reward_key: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column()
