from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Float, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storefront.extensions import db
from storefront.timeutil import utcnow


class PluginState(db.Model):
    """Whether a plugin is on in this shop, and its settings (validated against its schema)."""

    __tablename__ = "plugin_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    enabled: Mapped[bool] = mapped_column(default=False)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="")


class PluginStateVersion(db.Model):
    """One row (id 1) whose ``version`` goes up in the same transaction as every change to
    ``plugin_state`` made through the ORM (see ``plugins.state``). Each worker process keeps
    the plugin states in memory and reads only this number per request: a change made in
    any process is seen by the next request of every process."""

    __tablename__ = "plugin_state_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


class HookTiming(db.Model):
    """One process's calls of one plugin in one hook during one hour (``plugins.timing``):
    counts per log-scale bucket, so the rows of every process merge into percentiles."""

    __tablename__ = "plugin_hook_timing"
    __table_args__ = (UniqueConstraint("process", "hour", "plugin", "hook"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process: Mapped[str] = mapped_column(String(128))
    hour: Mapped[datetime] = mapped_column(index=True)
    plugin: Mapped[str] = mapped_column(String(64))
    hook: Mapped[str] = mapped_column(String(128))
    calls: Mapped[int] = mapped_column(default=0)
    failures: Mapped[int] = mapped_column(default=0)
    slowest_ms: Mapped[float] = mapped_column(Float, default=0.0)
    buckets: Mapped[dict] = mapped_column(JSON, default=dict)
