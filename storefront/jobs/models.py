from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storefront.extensions import db
from storefront.timeutil import utcnow


class JobState(db.Model):
    __tablename__ = "job_state"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    last_success_at: Mapped[datetime | None] = mapped_column(default=None)
    claimed_until: Mapped[datetime | None] = mapped_column(default=None)


class JobRun(db.Model):
    __tablename__ = "job_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    ok: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str] = mapped_column(Text, default="")
