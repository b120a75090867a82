"""Filing a complaint, its thread and its status. Members and guests are rate-limited in the
database (a row per filer, locked while their texts are counted), so the limit holds across
processes and hosts."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from hooks import CustomerView, OrderView, get_order, insert_once, ngettext, session
from hooks import gettext as _
from loyalty_plugins.complaints import settings
from loyalty_plugins.complaints.models import (
    CLOSED,
    DONE,
    FOLLOW_UP,
    MEMBER,
    NEW,
    NOTE,
    REPLY,
    STATUSES,
    WAITING,
    Complaint,
    Entry,
    Filer,
)

ORDER_NUMBER = re.compile(r"^\s*(?:SF-)?0*(\d{1,12})\s*$", re.IGNORECASE)


class Refused(Exception):  # noqa: N818 - reads as what happened to the request
    """The request cannot be done; ``str()`` says why, for the page."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Filing:
    kind: str
    category: str
    about: str
    text: str
    order: OrderView | None


def filer_key(member: CustomerView | None, email: str) -> str:
    if member is not None and member.is_member:
        return f"user:{member.id}"
    return "guest:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:64]


def clean_text(text: str, values: dict) -> str:
    cleaned = (text or "").replace("\r\n", "\n").strip()
    longest = values["max_text_length"]
    if not cleaned:
        raise Refused(_("Please tell us what happened."))
    if len(cleaned) > longest:
        raise Refused(_("A text may be at most %(longest)s characters long; yours has "
                        "%(length)s.", longest=longest, length=len(cleaned)))
    return cleaned


def find_order(number: str, member: CustomerView | None, email: str) -> OrderView | None:
    """The order with ``number`` if it is the member's own, or, for a guest, was placed with
    ``email``; None for an empty number; ``Refused`` (one message for every mismatch, so that
    nobody learns which orders exist) otherwise."""
    if not (number or "").strip():
        return None
    found = ORDER_NUMBER.match(number)
    order = get_order(int(found.group(1))) if found else None
    if member is not None and member.is_member:
        mine = order is not None and order.user_id == member.id
    else:
        mine = order is not None and order.email.strip().lower() == email.strip().lower()
    if not mine:
        raise Refused(_("We found no order with that number and e-mail address."))
    return order


def _hold(key: str, now: datetime, values: dict) -> None:
    """Take the filer's row for this transaction, then refuse when they reached the limit."""
    insert_once(Filer, ["key"], key=key, last_at=now)
    session().execute(update(Filer).where(Filer.key == key).values(last_at=now))
    since = now - timedelta(minutes=values["rate_limit_minutes"])
    filed = session().scalar(select(func.count()).select_from(Complaint).where(
        Complaint.filer == key, Complaint.created_at > since)) or 0
    written = 0
    if key.startswith("user:"):
        written = session().scalar(select(func.count()).select_from(Entry).where(
            Entry.kind == MEMBER, Entry.author_id == int(key.removeprefix("user:")),
            Entry.created_at > since)) or 0
    if filed + written >= values["rate_limit_count"]:
        period = ngettext("in the last minute", "in the last %(num)s minutes",
                          values["rate_limit_minutes"])
        raise Refused(ngettext("You have sent %(num)s complaint or message %(period)s, the "
                               "most we accept. Please try again later.",
                               "You have sent %(num)s complaints or messages %(period)s, the "
                               "most we accept. Please try again later.",
                               filed + written, period=period), 429)


def _guessing_window(values: dict) -> timedelta:
    return timedelta(minutes=values["rate_limit_minutes"])


def refuse_guessing(email: str, now: datetime) -> None:
    """Refuse a guest whose address was given with wrong order numbers too often lately."""
    values = settings.current()
    row = session().get(Filer, filer_key(None, email))
    if (row is not None and row.missed_since is not None
            and now - row.missed_since < _guessing_window(values)
            and row.misses >= values["rate_limit_count"]):
        raise Refused(_("Too many tries with a wrong order number or e-mail address. Please "
                        "try again later."), 429)


def record_miss(email: str, now: datetime) -> None:
    """Count a wrong order number and address pair given by a guest. Flushes."""
    values = settings.current()
    key = filer_key(None, email)
    insert_once(Filer, ["key"], key=key, last_at=now, misses=0)
    row = session().get(Filer, key)
    if row.missed_since is None or now - row.missed_since >= _guessing_window(values):
        row.misses, row.missed_since = 1, now
    else:
        row.misses += 1
    session().flush()


def due_times(category: str, created_at: datetime) -> tuple[datetime, datetime]:
    goal = settings.target(category)
    return (created_at + timedelta(hours=goal.first_reply_hours),
            created_at + timedelta(days=goal.resolution_days))


def file(member: CustomerView | None, email: str, name: str, filing: Filing,
         now: datetime) -> Complaint:
    """Write a member's or guest's complaint, unless they reached the limit. Flushes; the
    caller commits."""
    values = settings.current()
    text = clean_text(filing.text, values)
    key = filer_key(member, email)
    _hold(key, now, values)
    first_due, resolution_due = due_times(filing.category, now)
    complaint = Complaint(
        user_id=member.id if member is not None and member.is_member else None,
        email=email.strip(), name=name.strip()[:200],
        origin="member" if member is not None and member.is_member else "guest", filer=key,
        kind=filing.kind, category=filing.category, about=filing.about.strip()[:200],
        order_id=filing.order.id if filing.order else None, text=text, status=NEW,
        created_at=now, first_reply_due=first_due, resolution_due=resolution_due)
    session().add(complaint)
    session().flush()
    return complaint


def open_for(key: str, user_id: int | None, email: str, name: str, category: str,
             order_id: int | None, text: str, origin: str, now: datetime) -> bool:
    """A complaint opened by the shop for a member (status new), once per ``key``: a
    survey's follow-up task for staff, or the demo's complaint."""
    first_due, resolution_due = due_times(category, now)
    return insert_once(Complaint, ["source_key"], source_key=key, user_id=user_id,
                       email=email, name=name, origin=origin, filer="", kind="complaint",
                       category=category, about="", order_id=order_id, text=text,
                       status=NEW, created_at=now, first_reply_due=first_due,
                       resolution_due=resolution_due)


def thread(complaint: Complaint, staff: bool) -> list[Entry]:
    kinds = (REPLY, MEMBER, NOTE) if staff else (REPLY, MEMBER)
    return list(session().scalars(select(Entry).where(Entry.complaint_id == complaint.id,
                                                      Entry.kind.in_(kinds))
                                  .order_by(Entry.created_at, Entry.id)))


def add_entry(complaint: Complaint, kind: str, author: CustomerView, text: str,
              now: datetime) -> Entry:
    values = settings.current()
    body = clean_text(text, values)
    if kind == MEMBER and complaint.status == CLOSED:
        raise Refused(_("This complaint is closed. Please file a new one."), 409)
    if kind == MEMBER:
        _hold(filer_key(author, author.email or ""), now, values)
        if complaint.status == WAITING:
            complaint.status = "in_progress"
    if kind == REPLY and complaint.first_reply_at is None:
        complaint.first_reply_at = now
    if kind == REPLY and complaint.status == NEW:
        complaint.status = "in_progress"
    entry = Entry(complaint_id=complaint.id, kind=kind, author_id=author.id,
                  author=(author.name or author.email or "")[:200], text=body, created_at=now)
    session().add(entry)
    session().flush()
    return entry


def set_status(complaint: Complaint, status: str, now: datetime) -> None:
    if status not in STATUSES:
        raise Refused(_("Choose a status from the list."))
    complaint.status = status
    if status in DONE and complaint.resolved_at is None:
        complaint.resolved_at = now
    elif status not in DONE:
        complaint.resolved_at = None


def rate(complaint: Complaint, satisfied: bool, now: datetime) -> None:
    if complaint.status not in DONE:
        raise Refused(_("You can rate the answer once your complaint is resolved."), 409)
    if complaint.rated_at is not None:
        raise Refused(_("You already rated this answer. Thank you."), 409)
    complaint.satisfied, complaint.rated_at = satisfied, now


def of_member(user_id: int) -> list[Complaint]:
    """The complaints a member sees: theirs, and a follow-up task once staff answered."""
    return list(session().scalars(select(Complaint).where(
        Complaint.user_id == user_id,
        (Complaint.category != FOLLOW_UP) | Complaint.first_reply_at.is_not(None))
        .order_by(Complaint.created_at.desc(), Complaint.id.desc())))


def latest_replies(complaint_ids: list[int]) -> dict[int, Entry]:
    """Each complaint's newest staff reply, in one query."""
    if not complaint_ids:
        return {}
    newest = (select(func.max(Entry.id)).where(Entry.complaint_id.in_(complaint_ids),
                                               Entry.kind == REPLY)
              .group_by(Entry.complaint_id))
    return {entry.complaint_id: entry
            for entry in session().scalars(select(Entry).where(Entry.id.in_(newest)))}


def visible_to_member(complaint: Complaint, user_id: int) -> bool:
    return complaint.user_id == user_id and (
        complaint.category != FOLLOW_UP or complaint.first_reply_at is not None)


def overdue(complaint: Complaint, now: datetime) -> bool:
    if complaint.status in DONE:
        return False
    return (complaint.first_reply_at is None and now > complaint.first_reply_due) or (
        now > complaint.resolution_due)


