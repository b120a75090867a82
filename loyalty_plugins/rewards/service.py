"""Rewards: given once per key, held by the order that uses one, used when that order is
paid, free again when it is cancelled.

Each step is a conditional UPDATE on the state it was read in, so of two requests or workers
doing the same step, one does it. An order paid or cancelled while the plugin was off never
told the plugin: a held reward's status is then read from its order.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select, update

from hooks import get_order, insert_once, session
from loyalty_plugins.rewards.models import Reward

PAID = ("paid", "partially_refunded", "refunded")


def grant(user_id: int, key: str, label: str, label_args: dict | None,
          percent: Decimal | None, amount: int | None, until: datetime,
          now: datetime) -> bool:
    if (percent is None) == (amount is None):
        raise ValueError(f"reward {key}: give exactly one of percent or amount")
    if amount is not None and (not isinstance(amount, int) or amount <= 0):
        raise ValueError(f"reward {key}: amount must be a positive int of minor units")
    if percent is not None and not Decimal(0) < Decimal(percent) <= Decimal(100):
        raise ValueError(f"reward {key}: percent must be within 0..100")
    return insert_once(Reward, ["key"], key=key, user_id=user_id, label=label,
                       label_args=dict(label_args or {}), percent=percent, amount=amount,
                       until=until, status="available", order_id=None, granted_at=now)


def by_key(key: str) -> Reward | None:
    return session().scalar(select(Reward).where(Reward.key == key))


def status(reward: Reward, now: datetime) -> str:
    if reward.status == "reserved" and reward.order_id is not None:
        order = get_order(reward.order_id)
        if order is not None and order.status == "cancelled":
            return "available" if reward.until > now else "expired"
        if order is not None and order.status in PAID:
            return "used"
    if reward.status == "available" and reward.until <= now:
        return "expired"
    return reward.status


def usable(user_id: int, now: datetime) -> Reward | None:
    """The member's reward the next order gets: of those still available, the one that ends
    soonest (so none lapses while a later one is spent)."""
    found = session().scalars(select(Reward).where(Reward.user_id == user_id,
                                                   Reward.status.in_(["available", "reserved"]),
                                                   Reward.until > now)
                              .order_by(Reward.until, Reward.id))
    return next((reward for reward in found if status(reward, now) == "available"), None)


def held_or_available(user_id: int, now: datetime) -> list[tuple[Reward, str]]:
    """What the member can still use or has waiting on an order, soonest ending first."""
    found = session().scalars(select(Reward).where(Reward.user_id == user_id,
                                                   Reward.status.in_(["available", "reserved"]))
                              .order_by(Reward.until, Reward.id))
    return [(reward, state) for reward in found
            if (state := status(reward, now)) in ("available", "reserved")]


def of_member(user_id: int) -> list[Reward]:
    return list(session().scalars(select(Reward).where(Reward.user_id == user_id)
                                  .order_by(Reward.granted_at.desc(), Reward.id.desc())))


def reserve(reward_id: int, user_id: int, order_id: int, now: datetime) -> bool:
    """Hold the reward for an order being placed; False when it is gone (held by or used on
    another order, expired, revoked, or not the member's)."""
    reward = session().get(Reward, reward_id)
    if reward is None or reward.user_id != user_id or status(reward, now) != "available":
        return False
    held_by = reward.order_id if reward.status == "reserved" else None
    return bool(session().execute(
        update(Reward)
        .where(Reward.id == reward_id, Reward.status == reward.status,
               Reward.order_id.is_(None) if held_by is None else Reward.order_id == held_by)
        .values(status="reserved", order_id=order_id)).rowcount)


def mark_used(order_id: int) -> None:
    session().execute(update(Reward).where(Reward.order_id == order_id,
                                           Reward.status == "reserved")
                      .values(status="used"))


def release(order_id: int) -> None:
    session().execute(update(Reward).where(Reward.order_id == order_id,
                                           Reward.status == "reserved")
                      .values(status="available", order_id=None))


def revoke(key: str, now: datetime) -> bool:
    reward = by_key(key)
    if reward is None or status(reward, now) != "available":
        return False
    return bool(session().execute(
        update(Reward).where(Reward.id == reward.id, Reward.status == "available",
                             Reward.order_id.is_(None))
        .values(status="revoked")).rowcount)


def listed(key_prefix: str, now: datetime) -> list[dict]:
    escaped = key_prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    found = session().scalars(select(Reward).where(Reward.key.like(f"{escaped}%", escape="\\"))
                              .order_by(Reward.granted_at.desc(), Reward.id.desc()))
    return [{"key": reward.key, "user_id": reward.user_id, "status": status(reward, now),
             "order_id": reward.order_id, "granted_at": reward.granted_at,
             "until": reward.until} for reward in found]
