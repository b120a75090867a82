"""Points multiplied for a while: a member's boosts (the insights plugin's win-back offers
give them through the published hook ``points_boost``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from flask import g, has_request_context
from sqlalchemy import func, select

from hooks import insert_once
from hooks import session as db
from loyalty_plugins.points.models import PointsBoost

MAX_MULTIPLIER = Decimal(10)
_KNOWN = "points_boost_multiplier"  # flask.g: the multipliers read in this request


def give(user_id: int, multiplier: Decimal, until: datetime, reason: str, key: str,
         now: datetime) -> bool:
    multiplier = Decimal(str(multiplier))
    if not Decimal(1) < multiplier <= MAX_MULTIPLIER:
        raise ValueError(f"boost {key}: the multiplier must be above 1 and at most 10")
    return insert_once(PointsBoost, ["key"], key=key, user_id=user_id, multiplier=multiplier,
                       until=until, reason=reason, granted_at=now)


def multiplier(user_id: int, now: datetime) -> Decimal:
    """The largest boost the member has now (1 without one); read once per request, since a
    page asks for it for each figure it shows."""
    known = g.setdefault(_KNOWN, {}) if has_request_context() else {}
    if user_id not in known:
        largest = db().scalar(select(func.max(PointsBoost.multiplier))
                              .where(PointsBoost.user_id == user_id, PointsBoost.until > now))
        known[user_id] = Decimal(str(largest)) if largest is not None else Decimal(1)
    return known[user_id]


def active(user_id: int, now: datetime) -> PointsBoost | None:
    """The boost that counts now: the largest, and of equals the one lasting longest."""
    return db().scalar(select(PointsBoost)
                       .where(PointsBoost.user_id == user_id, PointsBoost.until > now)
                       .order_by(PointsBoost.multiplier.desc(), PointsBoost.until.desc())
                       .limit(1))


def listed(key_prefix: str) -> list[dict]:
    escaped = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = db().scalars(select(PointsBoost)
                        .where(PointsBoost.key.like(f"{escaped}%", escape="\\"))
                        .order_by(PointsBoost.id))
    return [{"key": row.key, "user_id": row.user_id, "multiplier": row.multiplier,
             "granted_at": row.granted_at, "until": row.until} for row in rows]
