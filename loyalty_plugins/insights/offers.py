"""Win-back offers: a segment message may give each member a reward off one order (through
the rewards plugin's ``rewards_grant``), with a page that shows it. The owner sees, per send,
how many members opened that page and how many orders used the reward."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy import func, select

from hooks import N_, call, insert_once, language, money, provided, session, today, utcnow
from hooks import gettext as _
from loyalty_plugins.insights.models import OfferOpen, SegmentMessage

KINDS = ("percent", "amount")
LABEL = N_("Our offer for you")
MAX_DAYS = 365


@dataclass(frozen=True)
class Offer:
    kind: str = ""  # "" (none), percent, amount
    percent: Decimal | None = None
    amount: int | None = None
    days: int = 14


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def parse(form) -> tuple[Offer, dict[str, str]]:
    """The offer the form asks for, and what is wrong with it (field -> problem)."""
    kind = form.get("offer", "")
    if kind not in KINDS:
        return Offer(), {}
    problems = {}
    raw_days = form.get("offer_days", "").strip()
    days = int(raw_days) if raw_days.isdigit() else 0
    if not 1 <= days <= MAX_DAYS:
        problems["offer_days"] = _("Give the days the offer is valid, 1 to %(max)s.",
                                   max=MAX_DAYS)
    if kind == "percent":
        percent = _decimal(form.get("offer_percent", ""))
        if percent is None or not Decimal("0.01") <= percent <= Decimal(100) \
                or percent != percent.quantize(Decimal("0.01")):
            problems["offer_percent"] = _("Give a percentage from 0.01 to 100.")
            percent = None
        return Offer(kind, percent=percent, days=days), problems
    amount = _decimal(form.get("offer_amount", ""))
    if amount is None or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        problems["offer_amount"] = _("Give an amount like 5.00.")
        return Offer(kind, days=days), problems
    return Offer(kind, amount=int(amount * 100), days=days), problems


def available() -> bool:
    return provided("rewards_grant")


def key(message_id: int, user_id: int) -> str:
    return f"insights:{message_id}:{user_id}"


def grant(message: SegmentMessage, user_id: int) -> bool:
    return call("rewards_grant", user_id=user_id, key=key(message.id, user_id), label=LABEL,
                label_args={}, percent=message.offer_percent, amount=message.offer_amount,
                until=message.sent_at + timedelta(days=message.offer_days))


def opened(message_id: int, user_id: int) -> None:
    """Count the member's first visit of the offer's page."""
    insert_once(OfferOpen, ["message_id", "user_id"], message_id=message_id, user_id=user_id,
                opened_at=utcnow())


def describe(message_id: int, user_id: int) -> dict | None:
    """The member's reward from this message, in their language, with its status."""
    if not provided("rewards_describe"):
        return None
    found = call("rewards_describe", key=key(message_id, user_id))
    if found is None:
        return None
    return {**found, "status": call("rewards_status", key=key(message_id, user_id))}


@dataclass(frozen=True)
class Results:
    opens: int
    orders: int  # orders that used the reward (paid)
    held: int  # unpaid orders holding it


def results(message: SegmentMessage) -> Results:
    opens = session().scalar(select(func.count()).select_from(OfferOpen)
                             .where(OfferOpen.message_id == message.id))
    rewards = (call("rewards_list", key_prefix=f"insights:{message.id}:")
               if provided("rewards_list") else None) or []
    return Results(opens, sum(row["status"] == "used" for row in rewards),
                   sum(row["status"] == "reserved" for row in rewards))


def sample(offer: Offer):
    """For the preview: the offer described as the message will describe it, before any
    member has it."""
    if not offer.kind:
        return None
    written = (_("%(percent)s%% off", percent=format_decimal(offer.percent.normalize(),
                                                            locale=language()))
               if offer.percent is not None else _("%(amount)s off", amount=money(offer.amount)))
    last = format_date(today() + timedelta(days=offer.days), "long", locale=language())
    return lambda: {"offer": written, "until": last}
