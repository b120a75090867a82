"""Greeting members on their birthday and membership anniversary, with the owner's gift.

The job runs often (hourly) and greets on the shop's date, so it is daily in the shop's time
zone whatever hour it runs. Each greeting is one transaction: the row (member, kind, year)
added with ``insert_once``, the gift and the message. Of two runs at once (two workers, a job
run twice) one adds the row; the other finds it (on PostgreSQL, after waiting for the first
to commit) and gives nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial

from sqlalchemy import select

from hooks import (
    N_,
    Gift,
    call,
    get_customers,
    insert_once,
    lazy_gettext,
    members,
    notify,
    provided,
    session,
    shop_timezone,
)
from loyalty_plugins.birthdays import dates, words
from loyalty_plugins.birthdays.models import Birthday, Greeting
from loyalty_plugins.birthdays.settings import Settings

log = logging.getLogger(__name__)
KINDS = ("birthday", "anniversary")
# The members' box for these messages under Message preferences (a "news" kind: stopping
# news and offers stops them too); the gift is given either way.
MESSAGE_KIND = "greetings"
TEMPLATES = {"birthday": "birthday.txt", "anniversary": "anniversary.txt"}
SUBJECTS = {"birthday": lazy_gettext("Happy birthday!"),
            "anniversary": lazy_gettext("Happy anniversary with us!")}


# The reward's label, a text of this plugin's catalog that the rewards plugin translates for
# the reader; the points' reason, kept in English in the ledger (its audit trail) and said
# in the reader's language by the points plugin, which knows these keys.
REWARD_LABELS = {"birthday": N_("Birthday gift %(year)s"),
                 "anniversary": N_("Anniversary gift %(year)s")}
POINTS_REASONS = {"birthday": "Birthday gift {year}", "anniversary": "Anniversary gift {year}"}


@dataclass(frozen=True)
class Due:
    """A member to greet: for ``kind``, on ``occasion`` (this year's day)."""

    user_id: int
    kind: str
    occasion: date
    years: int = 0  # anniversaries: the years of membership


def gift_key(kind: str, user_id: int, year: int) -> str:
    return f"{kind}:{user_id}:{year}"


def local_day(moment: datetime) -> date:
    """The shop's date of a naive UTC time."""
    return moment.replace(tzinfo=UTC).astimezone(shop_timezone()).date()


def window(today: date, late_days: int) -> list[date]:
    """The days whose greetings may go out today: today and up to ``late_days`` before it,
    in this year only."""
    return [today - timedelta(days=back) for back in range(late_days + 1)
            if (today - timedelta(days=back)).year == today.year]


def birthdays_due(today: date, late_days: int) -> Iterator[Due]:
    days = set(window(today, late_days))
    months = {day.month for day in days}
    rows = session().scalars(select(Birthday).where(Birthday.month.in_(months))).all()
    for row in rows:
        occasion = dates.occasion(row.month, row.day, today.year)
        # A late greeting is for a birthday known on its day, not one given after it.
        if occasion in days and local_day(row.updated_at) <= occasion:
            yield Due(row.user_id, "birthday", occasion)


def anniversaries_due(today: date, late_days: int) -> Iterator[Due]:
    days = set(window(today, late_days))
    for member in members():
        if member.joined_at is None:
            continue
        joined = local_day(member.joined_at)
        if joined.year >= today.year:
            continue
        occasion = dates.occasion(joined.month, joined.day, today.year)
        if occasion in days:
            yield Due(member.id, "anniversary", occasion, today.year - joined.year)


def greet_due(today: date, now: datetime, cfg: Settings) -> int:
    """Greet every member whose day it is (or was, up to ``late_days`` ago this year) and
    who was not greeted for it this year; commits each greeting. How many were sent."""
    due: list[Due] = []
    if cfg.birthday:
        due.extend(birthdays_due(today, cfg.late_days))
    if cfg.anniversary:
        due.extend(anniversaries_due(today, cfg.late_days))
    done = greeted(min(window(today, cfg.late_days)))  # most runs find everyone greeted
    due = [item for item in due if (item.user_id, item.kind) not in done]
    found = get_customers({item.user_id for item in due})
    sent = 0
    for item in due:
        member = found.get(item.user_id)
        if member is None or member.role != "customer":
            continue  # staff accounts are not members of the club
        if greet(item, cfg, now):
            sent += 1
        session().commit()
    return sent


def greeted(since: date) -> set[tuple[int, str]]:
    """(member, kind) of this year's greetings for a day from ``since``."""
    return {(user_id, kind) for user_id, kind in session().execute(
        select(Greeting.user_id, Greeting.kind).where(Greeting.year == since.year,
                                                      Greeting.occasion >= since))}


def greet(item: Due, cfg: Settings, now: datetime) -> bool:
    """Greet one member once for ``item``'s kind and year: the row, the gift, the message,
    in the caller's transaction. False when they were greeted for it before."""
    year = item.occasion.year
    record = planned(item, cfg.gift, now)
    if not insert_once(Greeting, ["user_id", "kind", "year"], user_id=item.user_id,
                       kind=item.kind, year=year, occasion=item.occasion, gift=record.gift,
                       points=record.points, reward_key=record.reward_key, created_at=now):
        return False
    key = gift_key(item.kind, item.user_id, year)
    if record.gift == "points":
        call("points_grant", user_id=item.user_id, points=record.points,
             reason=POINTS_REASONS[item.kind].format(year=year), key=key, actor="birthdays")
    elif record.gift == "reward":
        gift = cfg.gift
        call("rewards_grant", user_id=item.user_id, key=key, label=REWARD_LABELS[item.kind],
             label_args={"year": year}, percent=gift.percent, amount=gift.amount,
             until=record.until)
    notify(TEMPLATES[item.kind], SUBJECTS[item.kind], user_id=item.user_id, kind=MESSAGE_KIND,
           **message_context(item, record, cfg))
    log.info("birthdays: %s greeting %s for member %s (%s)", item.kind, year, item.user_id,
             record.gift)
    return True


@dataclass(frozen=True)
class Planned:
    gift: str  # points | reward | none
    points: int = 0
    reward_key: str | None = None
    until: datetime | None = None


def gift_missing(gift: Gift) -> bool:
    """The owner chose a gift whose plugin is off: members get the message alone."""
    return gift.giver is not None and not provided(gift.giver)


def planned(item: Due, gift: Gift, now: datetime) -> Planned:
    """What a member greeted now gets (nothing is written; the preview shows it too): the
    gift the owner chose while the plugin that gives it is on, else the message alone."""
    if gift.kind == "none" or gift_missing(gift):
        return Planned("none")
    if gift.kind == "points":
        return Planned("points", points=gift.points)
    return Planned("reward", reward_key=gift_key(item.kind, item.user_id, item.occasion.year),
                   until=now + timedelta(days=gift.days))


def message_context(item: Due, record: Planned, cfg: Settings) -> dict:
    """What the message's template shows: the owner's words and the gift actually given."""
    return {"text": cfg.texts[item.kind], "gift": record.gift, "points": record.points,
            "years": item.years, "year": item.occasion.year,
            # Written when the template is, in the reader's language.
            "offer": partial(words.offer, cfg.gift.percent, cfg.gift.amount),
            "until": local_day(record.until) if record.until else None}


def greetings_of(user_id: int) -> list[Greeting]:
    return list(session().scalars(select(Greeting).where(Greeting.user_id == user_id)
                                  .order_by(Greeting.year.desc(), Greeting.kind)))
