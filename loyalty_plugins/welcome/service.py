"""Welcoming a new member: once per e-mail address, with the gift the owner chose.

Runs in the worker's reaction to the account's event, at least once: a delivery repeated,
or two at once, gives one gift and one message. The address's row (its hash is the primary
key) is the lock: of two transactions welcoming the same address, one adds it and goes on,
the other waits for that commit and stops.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select, update

from hooks import (
    call,
    get_customer,
    get_order,
    insert_once,
    lazy_gettext,
    notify,
    provided,
    session,
)
from loyalty_plugins.welcome import words
from loyalty_plugins.welcome.models import Welcome, WelcomedAddress
from loyalty_plugins.welcome.settings import Gift, Settings

log = logging.getLogger(__name__)
TEMPLATE = "welcome.txt"
DEFAULT_SUBJECT = lazy_gettext("Welcome to the club")
# Stored in English in the ledger (its audit trail); the points plugin shows the entries
# with this key's prefix in the reader's language (loyalty_plugins/points/describe.py).
POINTS_REASON = "welcome to the club"
POINTS_KEY = "welcome:"
ADDRESS_USED = "address welcomed before, as account {first}"
POINTS_OFF = "points plugin off: no points given"


def address_hash(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def welcome(user_id: int, trigger: str, cfg: Settings, now: datetime) -> Welcome | None:
    """Welcome the account if ``trigger`` (``registration`` or ``confirmation``) is the
    owner's choice and its address was never welcomed; what it got, or None. Staff accounts
    are not members of the club: they are not welcomed."""
    if cfg.when != trigger:
        return None
    member = get_customer(user_id)
    if member is None or not member.email or member.role != "customer":
        return None
    db = session()
    if db.get(Welcome, user_id) is not None:
        return None  # this event again
    digest = address_hash(member.email)
    if not insert_once(WelcomedAddress, ["address_hash"], address_hash=digest,
                       user_id=user_id, welcomed_at=now):
        first = db.scalar(select(WelcomedAddress.user_id)
                          .where(WelcomedAddress.address_hash == digest))
        if first != user_id:  # else: the same event, delivered twice at once
            note = ADDRESS_USED.format(first=first)
            insert_once(Welcome, ["user_id"], user_id=user_id, outcome="address_used",
                        gift="none", points=0, reward_status="", note=note, created_at=now)
            log.info("welcome: account %s gets no welcome gift: %s", user_id, note)
        return None
    record = planned(user_id, cfg.gift, now)
    if record.gift == "points":
        call("points_grant", user_id=user_id, points=record.points, reason=POINTS_REASON,
             key=POINTS_KEY + digest, actor="welcome")
    db.add(record)
    db.flush()
    notify(TEMPLATE, cfg.subject or DEFAULT_SUBJECT, user_id=user_id, kind="marketing",
           **message_context(record, cfg.text))
    return record


def message_context(record: Welcome, text: str) -> dict:
    """What the message's template shows: the owner's words and the gift actually given."""
    return {"text": text, "gift": record.gift, "points": record.points,
            # Written when the template is, in the reader's language.
            "offer": partial(words.offer, record.reward_percent, record.reward_amount),
            "until": words.local_day(record.reward_until) if record.reward_until else None}


def planned(user_id: int, gift: Gift, now: datetime) -> Welcome:
    """What a member welcomed now gets (nothing is written; the preview shows it too).
    Points only while the points plugin is on; without it, the message alone."""
    record = Welcome(user_id=user_id, outcome="welcomed", gift="none", points=0,
                     reward_status="", note="", created_at=now)
    if gift.kind == "points" and provided("points_grant"):
        record.gift, record.points = "points", gift.points
    elif gift.kind == "points":
        record.note = POINTS_OFF
    elif gift.kind == "reward":
        record.gift, record.reward_status = "reward", "available"
        record.reward_percent, record.reward_amount = gift.percent, gift.amount
        record.reward_until = now + timedelta(days=gift.days)
    return record


def of(user_id: int) -> Welcome | None:
    return session().get(Welcome, user_id)


# The reward's life: held by the order that uses it, used when that order is paid, free
# again when it is cancelled. Each step is a conditional update on the state it was read in,
# so it happens once.

PAID = ("paid", "partially_refunded", "refunded")


def status(record: Welcome) -> str:
    """The reward's status, read from its order when that order was paid or cancelled while
    the plugin was off (the event never reached the plugin): used, or given back."""
    if record.reward_status == "reserved" and record.reward_order_id is not None:
        order = get_order(record.reward_order_id)
        if order is not None and order.status == "cancelled":
            return "available"
        if order is not None and order.status in PAID:
            return "used"
    return record.reward_status


def usable(record: Welcome | None, now: datetime) -> bool:
    return (record is not None and record.gift == "reward" and status(record) == "available"
            and record.reward_until is not None and record.reward_until > now)


def reserve(user_id: int, order_id: int, now: datetime) -> bool:
    """Hold the member's reward for an order being placed; False when it is gone (used by
    another order, or expired)."""
    record = of(user_id)
    if not usable(record, now):
        return False
    held_by = record.reward_order_id if record.reward_status == "reserved" else None
    return bool(session().execute(
        update(Welcome)
        .where(Welcome.user_id == user_id, Welcome.reward_status == record.reward_status,
               Welcome.reward_order_id.is_(None) if held_by is None
               else Welcome.reward_order_id == held_by)
        .values(reward_status="reserved", reward_order_id=order_id)).rowcount)


def mark_used(order_id: int) -> None:
    session().execute(update(Welcome).where(Welcome.reward_order_id == order_id,
                                            Welcome.reward_status == "reserved")
                      .values(reward_status="used"))


def release(order_id: int) -> None:
    session().execute(update(Welcome).where(Welcome.reward_order_id == order_id,
                                            Welcome.reward_status == "reserved")
                      .values(reward_status="available", reward_order_id=None))
