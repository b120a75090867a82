"""Seats, waitlists, tickets and check-in. Every change to an event's seats happens while
its row is locked (an UPDATE of its version), so concurrent registrations never oversell
and the waitlist keeps the order in which the shop accepted them."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from hooks import (
    CheckoutRefused,
    CustomerView,
    TierInfo,
    call,
    customer_tier,
    emit,
    get_customer,
    lazy_gettext,
    ngettext,
    notify,
    offer_product,
    plugin_settings,
    provided,
    session,
)
from hooks import gettext as _
from loyalty_plugins.events import content
from loyalty_plugins.events.content import EventInfo
from loyalty_plugins.events.models import Event, Registration

NAME = "events"
ACTIVE = ("confirmed", "pending", "waitlisted")


class EventError(ValueError):
    """Something the member asked for that cannot be done; the message says why."""


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# Reading events ----------------------------------------------------------------------------

_synced: dict[tuple[str, str], tuple] = {}


def published() -> dict[str, EventInfo]:
    return {slug: info for slug, info in content.load_all().items() if not info.draft}


def ensure_synced() -> None:
    """Bring the event rows (seat counts live there) in line with the files, once per change
    of the files per database. Commits. Paid events get their ticket product."""
    infos = published()
    key = (str(content.folder()), str(session().get_bind().url))
    signature = tuple(sorted((i.slug, i.title, i.starts_at, i.capacity, i.price)
                             for i in infos.values()))
    if _synced.get(key) == signature:
        return
    try:
        _sync(infos)
        session().commit()
    except IntegrityError:  # another worker inserted the same event first
        session().rollback()
        _sync(infos)
        session().commit()
    _synced[key] = signature


def _sync(infos: dict[str, EventInfo]) -> None:
    rows = {row.slug: row for row in session().scalars(select(Event))}
    now = utcnow()
    for info in infos.values():
        row = rows.get(info.slug)
        if row is None:
            row = Event(slug=info.slug, seats_taken=0, waitlist_seq=0, version=0,
                        published_at=now)
            session().add(row)
        row.title, row.starts_at, row.capacity = info.title, info.starts_at, info.capacity
        row.seat_cost = info.cost
        if not info.is_free:
            offer_product(info.sku, title=f"Ticket: {info.title}", price=info.price,
                          link=f"/events/{info.slug}", summary=info.summary)
    session().flush()


def event_row(slug: str) -> Event | None:
    return session().scalar(select(Event).where(Event.slug == slug))


def by_sku(sku: str) -> EventInfo | None:
    return next((i for i in published().values() if not i.is_free and i.sku == sku), None)


def upcoming(now: datetime) -> list[EventInfo]:
    return sorted((i for i in published().values() if i.ends_at > now),
                  key=lambda i: (i.starts_at, i.title))


# Who may come ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Access:
    allowed: bool
    message: str = ""  # what the visitor needs to unlock it


def tier_ladder() -> tuple[TierInfo, ...]:
    """The tiers plugin's ladder, lowest first; empty while tiers are off."""
    return call("tiers_ladder") if provided("tiers_ladder") else ()


def tier_name(code: str) -> str:
    return next((tier.name for tier in tier_ladder() if tier.code == code), code)


def audience_name(info: EventInfo) -> str:
    if info.audience in ("public", "members"):
        return _("members") if info.audience == "members" else _("everyone")
    return _("%(tier)s members", tier=tier_name(info.audience))


def access(customer: CustomerView, info: EventInfo) -> Access:
    """May ``customer`` register (tier and membership only; dates are checked apart)."""
    if not customer.is_member:
        return Access(False, _("Join the club (it is free) or sign in to register."))
    if info.audience in ("public", "members"):
        return Access(True)
    required = next((tier.rank for tier in tier_ladder() if tier.code == info.audience), None)
    if required is None:
        return Access(False, _("This event is for %(audience)s; registration is not open at "
                               "the moment.", audience=audience_name(info)))
    tier = customer_tier(customer)
    if tier is None or tier.rank < required:
        return Access(False, _("Reach %(tier)s to register for this event.",
                               tier=tier_name(info.audience)))
    return Access(True)


def may_read(customer: CustomerView, info: EventInfo) -> bool:
    """The full description is for the event's audience; everyone sees title and summary."""
    return info.audience == "public" or access(customer, info).allowed


def open_problem(info: EventInfo, now: datetime) -> str:
    if now >= info.starts_at:
        return _("This event has started; registration is closed.")
    if now >= info.deadline:
        return _("Registration for this event has closed.")
    return ""


def check_can_register(customer: CustomerView, info: EventInfo, guests: int,
                       now: datetime) -> None:
    allowed = access(customer, info)
    if not allowed.allowed:
        raise EventError(allowed.message)
    problem = open_problem(info, now)
    if problem:
        raise EventError(problem)
    if not 0 <= guests <= info.guests:
        raise EventError(ngettext("You may bring up to %(num)s guest to this event.",
                                  "You may bring up to %(num)s guests to this event.",
                                  info.guests)
                         if info.guests else
                         _("This event is for members only, without guests."))


# Seats -------------------------------------------------------------------------------------


def lock(slug: str) -> Event:
    db = session()
    found = db.execute(update(Event).where(Event.slug == slug)
                       .values(version=Event.version + 1)).rowcount
    if not found:
        raise EventError(_("This event does not exist."))
    return db.scalar(select(Event).where(Event.slug == slug)
                     .execution_options(populate_existing=True))


def registration_of(event: Event, user_id: int) -> Registration | None:
    return session().scalar(select(Registration).where(Registration.event_id == event.id,
                                                       Registration.user_id == user_id))


def _has_waitlist(event: Event) -> bool:
    first = session().scalar(select(Registration.id).where(
        Registration.event_id == event.id, Registration.status == "waitlisted").limit(1))
    return first is not None


def _place(event: Event, user_id: int, guests: int, status: str, now: datetime,
           order_id: int | None = None) -> Registration:
    """Write the member's registration (reusing a cancelled one) with a new ticket token."""
    reg = registration_of(event, user_id)
    if reg is not None and reg.status != "cancelled":
        raise EventError(_("You are on the waitlist for this event already.")
                         if reg.status == "waitlisted" else
                         _("You already have a ticket for this event."))
    stamp = max(now, utcnow())  # taken under the event's lock: times follow arrival
    if reg is None:
        reg = Registration(event_id=event.id, user_id=user_id, created_at=stamp)
        session().add(reg)
    else:
        reg.created_at = stamp
    reg.status, reg.guests, reg.order_id, reg.updated_at = status, guests, order_id, stamp
    reg.token, reg.checked_in_at, reg.checked_in_by = secrets.token_urlsafe(24), None, ""
    reg.waitlist_position = None
    if status == "waitlisted":
        event.waitlist_seq += 1
        reg.waitlist_position = event.waitlist_seq
    else:
        event.seats_taken += 1 + guests
    session().flush()
    return reg


def register(customer: CustomerView, info: EventInfo, guests: int,
             now: datetime) -> Registration:
    """A free event: a seat if one is left and nobody waits, else a place on the waitlist."""
    check_can_register(customer, info, guests, now)
    if not info.is_free:
        raise EventError(_("Tickets for this event are bought through the cart."))
    event = lock(info.slug)
    fits = event.seats_taken + 1 + guests <= event.capacity and not _has_waitlist(event)
    reg = _place(event, customer.id, guests, "confirmed" if fits else "waitlisted", now)
    if fits:
        _send_ticket(reg, info)
    return reg


def cancel(reg: Registration, info: EventInfo, now: datetime) -> list[Registration]:
    """The member gives up a seat or a waitlist place; returns the members promoted."""
    if reg.status == "pending" or (reg.status == "confirmed" and reg.order_id is not None):
        raise EventError(_("This ticket was bought with an order: ask us for a refund to "
                           "cancel it."))
    if reg.status not in ACTIVE:
        raise EventError(_("This registration is already cancelled."))
    if now >= info.starts_at:
        raise EventError(_("This event has started."))
    event = lock(info.slug)
    session().refresh(reg)
    return _release(event, reg, info, now)


def _release(event: Event, reg: Registration, info: EventInfo,
             now: datetime) -> list[Registration]:
    freed = reg.status in ("confirmed", "pending")
    if freed:
        event.seats_taken -= reg.seats
    reg.status, reg.updated_at, reg.waitlist_position = "cancelled", now, None
    session().flush()
    return promote(event, info, now) if freed else []


def waitlist(event: Event, limit: int | None = None) -> list[Registration]:
    """Who waits, first in line first (at most ``limit`` of them)."""
    return list(session().scalars(select(Registration).where(
        Registration.event_id == event.id, Registration.status == "waitlisted")
        .order_by(Registration.waitlist_position).limit(limit)))


def waiting_count(event: Event) -> int:
    return session().scalar(select(func.count(Registration.id)).where(
        Registration.event_id == event.id, Registration.status == "waitlisted"))


def promote(event: Event, info: EventInfo, now: datetime) -> list[Registration]:
    """Give freed seats to the waitlist strictly in order: the first in line gets the next
    seats; if their party does not fit yet, nobody behind them jumps the queue."""
    promoted = []
    if now >= info.starts_at:
        return promoted
    for reg in waitlist(event, limit=max(event.capacity - event.seats_taken, 0)):
        if event.seats_taken + reg.seats > event.capacity:
            break
        event.seats_taken += reg.seats
        reg.status, reg.waitlist_position, reg.updated_at = "confirmed", None, now
        promoted.append(reg)
        notify("events_promoted.txt", lazy_gettext("A seat is yours: %(event)s",
                                                   event=info.title),
               user_id=reg.user_id, event=info, registration=reg, **_when(info))
        _announce_confirmed(reg, info)
    session().flush()
    return promoted


# Tickets bought through the cart -------------------------------------------------------------


def ticket_lines(lines) -> list[tuple[EventInfo, object]]:
    found = []
    for line in lines:
        info = by_sku(line.sku)
        if info is not None:
            found.append((info, line))
    return found


def cart_problems(cart, customer: CustomerView, now: datetime) -> list[str]:
    problems = []
    for info, line in ticket_lines(cart.lines):
        try:
            check_can_register(customer, info, line.quantity - 1, now)
        except EventError as exc:
            problems.append(f"{info.title}: {exc}")
            continue
        event = event_row(info.slug)
        reg = registration_of(event, customer.id) if event else None
        if reg is not None and reg.status in ("confirmed", "pending"):
            problems.append(_("%(event)s: you already have a ticket.", event=info.title))
        elif event is None or event.seats_taken + line.quantity > event.capacity:
            problems.append(_("%(event)s: not enough seats left.", event=info.title))
    return problems


def hold_for_order(order, customer: CustomerView, now: datetime) -> None:
    """Inside the order's transaction: hold the seats of every ticket in it."""
    for info, line in ticket_lines(order.lines):
        try:
            check_can_register(customer, info, line.quantity - 1, now)
            event = lock(info.slug)
            if event.seats_taken + line.quantity > event.capacity:
                raise EventError(_("sold out, sorry."))
            _place(event, customer.id, line.quantity - 1, "pending", now, order_id=order.id)
        except EventError as exc:
            raise CheckoutRefused(f"{info.title}: {exc}") from exc


def _order_registrations(order_id: int) -> list[Registration]:
    return list(session().scalars(select(Registration).where(
        Registration.order_id == order_id, Registration.status.in_(("pending", "confirmed")))))


def confirm_order(order_id: int, now: datetime) -> None:
    for reg in _order_registrations(order_id):
        if reg.status == "pending":
            reg.status, reg.updated_at = "confirmed", now
            info = info_of(reg)
            if info is not None:
                _send_ticket(reg, info)


def release_order(order_id: int, now: datetime) -> None:
    """The order was cancelled, its payment failed, or its tickets were refunded."""
    for reg in _order_registrations(order_id):
        event = session().get(Event, reg.event_id)
        info = published().get(event.slug)
        event = lock(event.slug)
        session().refresh(reg)
        if reg.status in ("pending", "confirmed"):
            if info is None:
                event.seats_taken -= reg.seats
                reg.status, reg.updated_at = "cancelled", now
            else:
                _release(event, reg, info, now)


def refund_covers_tickets(order) -> bool:
    """A refund cancels the order's tickets once what was refunded reaches what they were
    paid: their share of the order's goods after its discounts (shipping left out)."""
    tickets = sum(line.total for _info, line in ticket_lines(order.lines))
    if not tickets:
        return False
    goods_paid = max(order.total - order.shipping, 0)
    return order.refunded_total >= tickets * goods_paid // max(order.subtotal, 1)


# Tickets and check-in ----------------------------------------------------------------------


def info_of(reg: Registration) -> EventInfo | None:
    event = session().get(Event, reg.event_id)
    return content.load_all().get(event.slug) if event else None


def _when(info: EventInfo) -> dict:
    """The start of the event for a message: ``start``, in the event's time zone, which the
    template writes in the member's language (``start.date() | day``); ``when``, the same in
    English words, kept for the copies of these templates that themes made before."""
    start = info.local(info.starts_at)
    return {"start": start, "when": f"{start:%A %d %B %Y, %H:%M} ({info.timezone})"}


def _send_ticket(reg: Registration, info: EventInfo) -> None:
    """The registration is confirmed: the member gets the ticket, other plugins the event."""
    notify("events_ticket.txt", lazy_gettext("Your ticket: %(event)s", event=info.title),
           user_id=reg.user_id, event=info, registration=reg, **_when(info))
    _announce_confirmed(reg, info)


def _announce_confirmed(reg: Registration, info: EventInfo) -> None:
    emit("events.registration_confirmed", aggregate_type="customer", aggregate_id=reg.user_id,
         payload={"user_id": reg.user_id, "event": info.slug, "seats": reg.seats,
                  "order_id": reg.order_id})


def ticket_by_token(token: str) -> tuple[Registration | None, EventInfo | None]:
    """The registration a scanned ticket code belongs to, and its event."""
    if not token or len(token) > 64:
        return None, None
    reg = session().scalar(select(Registration).where(Registration.token == token))
    return reg, info_of(reg) if reg else None


def check_in(reg: Registration, info: EventInfo, staff: CustomerView, now: datetime) -> bool:
    """Mark the ticket as used, once; grants the attendance points when set and tells other
    plugins (event ``events.attended``). False when the ticket was not valid or already
    used."""
    done = session().execute(
        update(Registration)
        .where(Registration.id == reg.id, Registration.status == "confirmed",
               Registration.checked_in_at.is_(None))
        .values(checked_in_at=now, checked_in_by=staff.email or "")).rowcount
    if not done:
        return False
    emit("events.attended", aggregate_type="customer", aggregate_id=reg.user_id,
         payload={"user_id": reg.user_id, "event": info.slug, "title": info.title,
                  "registration_id": reg.id})
    points = plugin_settings()["attendance_points"]
    if points and provided("points_grant"):
        # Stored in English (the audit trail); the points plugin recognises the key's prefix
        # and this reason's "Attended " and shows it in the reader's language
        # (loyalty_plugins/points/describe.py): keep the two in step.
        call("points_grant", user_id=reg.user_id, points=points, reason=f"Attended {info.title}",
             key=f"event-attendance:{reg.id}", actor=staff.email or "staff")
    return True


# Invitations -------------------------------------------------------------------------------


def _in_invited_segments(member: CustomerView, info: EventInfo) -> bool:
    """Whether the event invites this member: everyone, unless it names segments, which the
    insights plugin knows (none is invited while it is off)."""
    if not info.invite_segments:
        return True
    if not provided("insights_segment"):
        return False
    return call("insights_segment", email=member.email or "") in info.invite_segments


def send_invitations(now: datetime) -> int:
    """Invite the eligible members to every newly published, upcoming event, once."""
    from hooks import members

    ensure_synced()
    sent = 0
    infos = published()
    pending = session().scalars(select(Event).where(Event.invited_at.is_(None),
                                                    Event.starts_at > now)).all()
    for event in pending:
        info = infos.get(event.slug)
        if info is None:
            continue
        for member in members():
            if (access(member, info).allowed and open_problem(info, now) == ""
                    and _in_invited_segments(member, info)):
                notify("events_invitation.txt",
                       lazy_gettext("You are invited: %(event)s", event=info.title),
                       user_id=member.id, kind="marketing", event=info,
                       member=member, **_when(info),
                       link=f"{current_app.config.get('BASE_URL', '').rstrip('/')}"
                            f"/events/{info.slug}")
                sent += 1
        event.invited_at = now
        session().commit()
    return sent


def member_name(user_id: int) -> str:
    member = get_customer(user_id)
    return (member.name or _("Member")) if member else _("Former member")
