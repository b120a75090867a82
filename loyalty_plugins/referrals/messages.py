"""The two messages: the friend welcomed with their reward, the referrer thanked with points.
Sent through the outbox as the plugin's own kind of message, ``referral``: members who
stopped it (or news and offers) under Message preferences get none."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from hooks import CustomerView, lazy_gettext, notify
from loyalty_plugins.referrals import words
from loyalty_plugins.referrals.settings import Settings

WELCOME = "referral_welcome.txt"
THANKS = "referral_rewarded.txt"
KIND = "referral"


def welcome_subject(friend: str):
    return lazy_gettext("%(name)s invited you: welcome", name=friend)


def thanks_subject(friend: str):
    return lazy_gettext("%(name)s's first order counted: thank you", name=friend)


def welcome_context(referrer: str, cfg: Settings | None, until: datetime) -> dict:
    """What the friend's message shows; ``cfg`` None: no reward was given (the rewards
    plugin is off)."""
    return {"referrer": referrer, "rewarded": cfg is not None,
            # Written when the template is, in the reader's language.
            "offer": partial(words.offer, cfg.percent, cfg.amount) if cfg else None,
            "until": words.local_day(until)}


def welcome_referee(referee: CustomerView, referrer: CustomerView, cfg: Settings | None,
                    until: datetime) -> None:
    name = referrer.name or referrer.email or ""
    notify(WELCOME, welcome_subject(name), user_id=referee.id, kind=KIND,
           **welcome_context(name, cfg, until))


def thank_referrer(referrer_id: int, friend: str, points: int) -> None:
    notify(THANKS, thanks_subject(friend), user_id=referrer_id, kind=KIND, friend=friend,
           points=points)
