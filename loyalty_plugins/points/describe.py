"""A ledger entry's why and who, in the reader's language.

The ledger keeps each entry's ``reason`` and ``actor`` as they were written then, in English:
that is the audit trail (logs, old rows), and it is never rewritten. The entries the plugin
writes itself are recognised here by what the row holds (``kind``, ``order_id``, ``key``)
and said again in the reader's language, with the order's number and dates as that language
writes them. What people wrote is shown as stored: a staff correction's reason, and the
reasons other plugins give through ``points_grant`` (except the events plugin's attendance
points, the welcome plugin's joining gift, the referrals plugin's reward and the birthdays
plugin's gifts, recognised by their keys).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from babel.dates import format_date

from hooks import gettext as _
from hooks import language, lazy_gettext
from loyalty_plugins.points.ledger import order_label
from loyalty_plugins.points.models import PointsEntry

# Actors the plugin (and the events plugin, for a check-in without an e-mail) writes.
ACTOR_LABELS = {
    "system": lazy_gettext("system"), "shopper": lazy_gettext("shopper"),
    "refund": lazy_gettext("refund"), "card dispute": lazy_gettext("card dispute"),
    "staff": lazy_gettext("staff"),
}

# The entries about an order, by kind (see ledger.py): each kind is written only by the
# ledger, always with the order's id.
ORDER_REASONS: dict[str, Callable[[str], str]] = {
    "earn": lambda order: _("order %(order)s paid", order=order),
    "reserve": lambda order: _("redeemed on order %(order)s", order=order),
    "spend": lambda order: _("paid order %(order)s", order=order),
    "release": lambda order: _("order %(order)s was cancelled", order=order),
    "reverse": lambda order: _("refund of order %(order)s", order=order),
    "refund": lambda order: _("paid on order %(order)s, returned by its refund", order=order),
    "freeze": lambda order: _("the payment of order %(order)s is disputed", order=order),
    "thaw": lambda order: _("the dispute on order %(order)s ended", order=order),
}

# Values the row does not hold, read back from the English the ledger wrote.
EXPIRED = re.compile(r"points usable from (?P<day>\d{4}-\d{2}-\d{2}) expired")
CLAIMED = re.compile(r"points of guest order \S+ for (?P<email>\S+)")
APPROVED = re.compile(r"(?P<requester>[^,]*), approved by (?P<decider>.+)")

# The events plugin's points for attending (loyalty_plugins/events/service.py, check_in):
# granted through points_grant with this key and reason "Attended <event title>".
ATTENDANCE_KEY = "event-attendance:"
# The sign-up bonus, and the welcome plugin's joining gift (loyalty_plugins/welcome/service.py:
# points_grant with the key "welcome:<hash of the address>").
WELCOME_KEYS = ("signup:", "welcome:")
ATTENDED = "Attended "
# The referrals plugin's points for a friend's first order (loyalty_plugins/referrals/
# service.py, POINTS_REASON): key "referral:<referral id>".
REFERRAL_KEY = "referral:"
REFERRED = re.compile(r"referral: the first order of (?P<name>.*) counted")
# The birthdays plugin's gifts (loyalty_plugins/birthdays/service.py): points_grant with the
# key "<kind>:<member>:<year>" and the reason "Birthday gift 2027" / "Anniversary gift 2027".
GREETING_GIFTS: dict[str, Callable[[str], str]] = {
    "birthday:": lambda year: _("Birthday gift %(year)s", year=year),
    "anniversary:": lambda year: _("Anniversary gift %(year)s", year=year),
}


def describe_entry(entry: PointsEntry, label: Callable[[int], str] = order_label) -> str:
    """Why the entry was made, in the reader's language; the stored text when it is not one
    the plugin wrote (a staff correction's reason, another plugin's). ``label`` gives an
    order's number from its id (pass a cached one to describe many entries)."""
    kind, key, stored = entry.kind, entry.key or "", entry.reason
    if kind in ORDER_REASONS and entry.order_id is not None:
        return ORDER_REASONS[kind](label(entry.order_id))
    if kind == "mature":
        return _("the return window closed")
    if kind == "expire" and (found := EXPIRED.fullmatch(stored)):
        day = format_date(date.fromisoformat(found["day"]), "long", locale=language())
        return _("points usable from %(day)s expired", day=day)
    if kind == "claim" and entry.order_id is not None and (found := CLAIMED.fullmatch(stored)):
        return _("points of guest order %(order)s for %(email)s",
                 order=label(entry.order_id), email=found["email"])
    if kind == "bonus" and key.startswith(WELCOME_KEYS):
        return _("welcome to the club")
    if kind == "bonus" and (gift := GREETING_GIFTS.get(key.split(":", 1)[0] + ":")):
        return gift(key.rsplit(":", 1)[-1])
    if kind == "bonus" and key.startswith(ATTENDANCE_KEY) and stored.startswith(ATTENDED):
        return _("Attended %(event)s", event=stored[len(ATTENDED):])
    if kind == "bonus" and key.startswith(REFERRAL_KEY) and (found := REFERRED.fullmatch(stored)):
        return _("referral: the first order of %(name)s counted", name=found["name"])
    return stored


def describe_actor(entry: PointsEntry) -> str:
    """Who made the entry, in the reader's language: the plugin's own words translated,
    e-mail addresses as stored."""
    if entry.actor in ACTOR_LABELS:
        return str(ACTOR_LABELS[entry.actor])
    if entry.kind == "adjust" and (found := APPROVED.fullmatch(entry.actor)):
        return _("%(requester)s, approved by %(decider)s", requester=found["requester"],
                 decider=found["decider"])
    return entry.actor


def cached_labels() -> Callable[[int], str]:
    """``order_label`` remembering each order's number: for one page or statement."""
    seen: dict[int, str] = {}

    def label(order_id: int) -> str:
        if order_id not in seen:
            seen[order_id] = order_label(order_id)
        return seen[order_id]

    return label


__all__ = ["cached_labels", "describe_actor", "describe_entry"]
