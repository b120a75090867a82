"""Welcoming a new member: once per e-mail address, with the gift the owner chose: points
(the points plugin's ``points_grant``) or a reward on the next order (the rewards plugin's
``rewards_grant``, which applies it at checkout and keeps its status).

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

from sqlalchemy import select

from hooks import (
    N_,
    Gift,
    call,
    get_customer,
    insert_once,
    lazy_gettext,
    notify,
    provided,
    session,
)
from loyalty_plugins.welcome import words
from loyalty_plugins.welcome.models import Welcome, WelcomedAddress
from loyalty_plugins.welcome.settings import Settings

log = logging.getLogger(__name__)
TEMPLATE = "welcome.txt"
DEFAULT_SUBJECT = lazy_gettext("Welcome to the club")
# Stored in English in the ledger (its audit trail); the points plugin shows the entries
# with this key's prefix in the reader's language (loyalty_plugins/points/describe.py).
POINTS_REASON = "welcome to the club"
POINTS_KEY = "welcome:"
ADDRESS_USED = "address welcomed before, as account {first}"
POINTS_OFF = "points plugin off: no points given"
REWARDS_OFF = "rewards plugin off: no reward given"
# The rewards plugin shows it in the member's language: a msgid of this plugin's catalog.
REWARD_LABEL = N_("Welcome gift")


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
                        gift="none", points=0, note=note, created_at=now)
            log.info("welcome: account %s gets no welcome gift: %s", user_id, note)
        return None
    record = planned(user_id, cfg.gift, now)
    if record.gift == "points":
        call("points_grant", user_id=user_id, points=record.points, reason=POINTS_REASON,
             key=POINTS_KEY + digest, actor="welcome")
    elif record.gift == "reward":
        call("rewards_grant", user_id=user_id, key=reward_key(user_id),
             label=REWARD_LABEL, label_args={},
             percent=record.reward_percent, amount=record.reward_amount,
             until=record.reward_until)
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
    Points only while the points plugin is on, a reward only while the rewards plugin is;
    without them, the message alone."""
    record = Welcome(user_id=user_id, outcome="welcomed", gift="none", points=0, note="",
                     created_at=now)
    if gift.kind == "points" and provided("points_grant"):
        record.gift, record.points = "points", gift.points
    elif gift.kind == "points":
        record.note = POINTS_OFF
    elif gift.kind == "reward" and provided("rewards_grant"):
        record.gift = "reward"
        record.reward_percent, record.reward_amount = gift.percent, gift.amount
        record.reward_until = now + timedelta(days=gift.days)
    elif gift.kind == "reward":
        record.note = REWARDS_OFF
    return record


def reward_key(user_id: int) -> str:
    return f"welcome:{user_id}"


def reward_status(record: Welcome) -> str:
    """The reward's status as the rewards plugin keeps it (``available``, ``reserved``,
    ``used``, ``expired``), or ``unknown`` while that plugin is off."""
    if not provided("rewards_status"):
        return "unknown"
    return call("rewards_status", key=reward_key(record.user_id)) or "unknown"


def of(user_id: int) -> Welcome | None:
    return session().get(Welcome, user_id)
