"""Win-back offers: a segment message may give each member a reward off one order (the
rewards plugin's ``rewards_grant``) or their points multiplied for some days (the points
plugin's ``points_boost``), with a page that shows it. The owner sees, per send, how many
members opened that page and how many orders used the offer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

from babel.dates import format_date
from babel.numbers import format_decimal
from sqlalchemy import func, select

from hooks import (
    N_,
    call,
    insert_once,
    language,
    money,
    order_history,
    provided,
    session,
    shop_timezone,
    utcnow,
)
from hooks import gettext as _
from loyalty_plugins.insights.models import OfferOpen, SegmentMessage

# Each kind of offer, with the plugin hook that gives it.
GIVEN_BY = {"percent": "rewards_grant", "amount": "rewards_grant", "points": "points_boost"}
LABEL = N_("Our offer for you")
MAX_DAYS = 365
MAX_MULTIPLIER = Decimal(10)


@dataclass(frozen=True)
class Offer:
    kind: str = ""  # "" (none), percent, amount, points
    percent: Decimal | None = None
    amount: int | None = None
    multiplier: Decimal | None = None
    days: int = 14


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value == value.quantize(Decimal("0.01")) else None


def available_kinds() -> tuple[str, ...]:
    """The kinds of offer the enabled plugins can give now."""
    return tuple(kind for kind, hook in GIVEN_BY.items() if provided(hook))


def parse(form) -> tuple[Offer, dict[str, str]]:
    """The offer the form asks for, and what is wrong with it (field -> problem)."""
    kind = form.get("offer", "")
    if kind not in available_kinds():
        return Offer(), {}
    problems = {}
    raw_days = form.get("offer_days", "").strip()
    days = int(raw_days) if raw_days.isdigit() else 0
    if not 1 <= days <= MAX_DAYS:
        problems["offer_days"] = _("Give the days the offer is valid, 1 to %(max)s.",
                                   max=MAX_DAYS)
    value = None
    if kind == "percent":
        value = _decimal(form.get("offer_percent", ""))
        if value is None or not Decimal("0.01") <= value <= Decimal(100):
            problems["offer_percent"] = _("Give a percentage from 0.01 to 100.")
        return Offer(kind, percent=value, days=days), problems
    if kind == "points":
        value = _decimal(form.get("offer_multiplier", ""))
        if value is None or not Decimal(1) < value <= MAX_MULTIPLIER:
            problems["offer_multiplier"] = _("Give how many times the points, above 1 and "
                                             "at most 10, like 2 or 1.5.")
        return Offer(kind, multiplier=value, days=days), problems
    value = _decimal(form.get("offer_amount", ""))
    if value is None or value <= 0:
        problems["offer_amount"] = _("Give an amount like 5.00.")
        return Offer(kind, days=days), problems
    return Offer(kind, amount=int(value * 100), days=days), problems


def key(message_id: int, user_id: int) -> str:
    return f"insights:{message_id}:{user_id}"


def _until(message: SegmentMessage) -> datetime:
    return message.sent_at + timedelta(days=message.offer_days)


def grant(message: SegmentMessage, user_id: int) -> bool:
    if message.offer == "points":
        return call("points_boost", user_id=user_id, multiplier=message.offer_multiplier,
                    until=_until(message), reason=LABEL, key=key(message.id, user_id))
    return call("rewards_grant", user_id=user_id, key=key(message.id, user_id), label=LABEL,
                label_args={}, percent=message.offer_percent, amount=message.offer_amount,
                until=_until(message))


def opened(message_id: int, user_id: int) -> None:
    """Count the member's first visit of the offer's page."""
    insert_once(OfferOpen, ["message_id", "user_id"], message_id=message_id, user_id=user_id,
                opened_at=utcnow())


def _times(multiplier: Decimal) -> str:
    return format_decimal(Decimal(multiplier).normalize(), locale=language())


def _day(moment: datetime) -> str:
    """The shop's date of a naive UTC time, as the reader's language writes it."""
    local = moment.replace(tzinfo=UTC).astimezone(shop_timezone()).date()
    return format_date(local, "long", locale=language())


def describe(message: SegmentMessage, user_id: int) -> dict | None:
    """The member's offer from this message, in their language: ``kind``, ``label``,
    ``offer`` (what it gives), ``until`` (its last day) and ``status`` (available, reserved,
    used, expired); None when the message gave them none."""
    if message.offer == "points":
        if not provided("points_boosts"):
            return None
        mine = [row for row in call("points_boosts", key_prefix=key(message.id, user_id))
                if row["key"] == key(message.id, user_id)]
        if not mine:
            return None
        return {"kind": "points", "label": _(LABEL), "offer": _times(mine[0]["multiplier"]),
                "until": _day(mine[0]["until"]),
                "status": "available" if mine[0]["until"] > utcnow() else "expired"}
    if not provided("rewards_describe"):
        return None
    found = call("rewards_describe", key=key(message.id, user_id))
    if found is None:
        return None
    return {**found, "kind": "reward",
            "status": call("rewards_status", key=key(message.id, user_id))}


def sample(offer: Offer) -> Callable[[], dict] | None:
    """For the preview: the offer described as the message will describe it, before any
    member has it."""
    if not offer.kind:
        return None
    if offer.kind == "points":
        written = _times(offer.multiplier)
    elif offer.percent is not None:
        written = _("%(percent)s%% off", percent=format_decimal(offer.percent.normalize(),
                                                                locale=language()))
    else:
        written = _("%(amount)s off", amount=money(offer.amount))
    last = _day(utcnow() + timedelta(days=offer.days))
    kind = "points" if offer.kind == "points" else "reward"
    return lambda: {"kind": kind, "offer": written, "until": last}


@dataclass(frozen=True)
class Results:
    opens: int
    orders: int  # paid orders that used the offer
    held: int  # unpaid orders holding a reward


def results(message: SegmentMessage) -> Results:
    opens = session().scalar(select(func.count()).select_from(OfferOpen)
                             .where(OfferOpen.message_id == message.id))
    prefix = f"insights:{message.id}:"
    if message.offer == "points":
        boosted = [row["user_id"] for row in (call("points_boosts", key_prefix=prefix)
                                               if provided("points_boosts") else [])]
        return Results(opens, _orders_of(boosted, message.sent_at, _until(message)), 0)
    rewards = (call("rewards_list", key_prefix=prefix) if provided("rewards_list") else None) \
        or []
    return Results(opens, sum(row["status"] == "used" for row in rewards),
                   sum(row["status"] == "reserved" for row in rewards))


def _orders_of(user_ids: list[int], start: datetime, end: datetime) -> int:
    """Paid orders of these members while their boost lasted."""
    if not user_ids:
        return 0
    history = order_history()
    return session().scalar(select(func.count()).select_from(history).where(
        history.c.user_id.in_(user_ids), history.c.placed_at >= start,
        history.c.placed_at < end))
