"""Messages: the shop and its plugins send a member a message with ``notify(...)``.

The message is rendered from a theme-overridable template and written to the outbox in the
caller's transaction: if that transaction rolls back, nothing is sent. After the commit the
worker sends it (``send``); a send that fails is retried after growing pauses.

A message is written in its recipient's language (``recipient_language``): the subject and
the body are rendered under ``flask_babel.force_locale``, whether ``notify`` runs in a
request (a password reset) or in the worker (an order paid). So a subject is best given as
``lazy_gettext("Your order %(number)s is paid", number=...)``: it is translated then, for
the recipient. A plain string is looked up in the catalogs too (in the recipient's language),
so a fixed text that is a msgid elsewhere also arrives translated; any other text is kept.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Protocol

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale, gettext
from sqlalchemy import or_, select, update

from storefront.events import queue
from storefront.extensions import db
from storefront.notifications import kinds
from storefront.notifications.mail import send_mail
from storefront.notifications.models import Notification
from storefront.timeutil import utcnow

# A claimed message is not sent by anyone else for this long (the worker may be sending it).
SENDING_LEASE = timedelta(minutes=5)

log = logging.getLogger("storefront.notifications")

MAX_ATTEMPTS = 10
# The worker is told right after the commit; should that be lost (the process died between
# commit and telling), the delivery job finds the message this long after.
UNTOLD_AFTER = timedelta(seconds=30)


class NotificationError(ValueError):
    pass


class Member(Protocol):
    """What a message needs of its recipient's account (an ``accounts.models.User``)."""

    id: int
    email: str
    language: str
    marketing_opt_out: bool


def member(user_id: int) -> Member | None:
    """The member with this id: the account ``Notification.member`` points to."""
    return db.session.get(Notification.member.property.mapper, user_id)


def recipient_language(user: Member | None, known: str = "") -> str:
    """The language to write to ``user`` in: the one they chose on their account, else
    ``known`` (the language they ordered in), else the shop's default. To a bare address
    (no account): ``known``, else the language of the request that asks for the message,
    else (the worker) the shop's default."""
    languages = current_app.config["LANGUAGES"]
    default = current_app.config["DEFAULT_LANGUAGE"]
    if user is not None and user.language in languages:
        return user.language
    if known in languages:
        return known
    if user is not None:
        return default
    if has_request_context():
        from storefront.i18n import current_language

        return current_language()
    return default


def _subject(subject: object) -> str:
    """The subject as the current language writes it: a lazy text is evaluated now, a plain
    string is looked up in the catalogs (kept as it is when it is not a msgid)."""
    if isinstance(subject, str):
        return gettext(subject) if subject else subject  # gettext("") is the catalog's header
    return str(subject)


def notify(template: str, subject: object, *, user_id: int | None = None,
           email: str | None = None, kind: str = "transactional", plugin: str = "",
           language: str = "", **context) -> Notification:
    """Queue a message to a member (``user_id``) or an address (``email``), rendered in the
    recipient's language. ``subject``: a lazy text (``lazy_gettext``) or a string."""
    try:
        declared = kinds.resolve(kind, plugin)
    except ValueError as exc:
        raise NotificationError(str(exc)) from None
    user = member(user_id) if user_id is not None else None
    if user_id is not None and user is None:
        raise NotificationError(f"no member with id {user_id}")
    address = user.email if user else email
    if not address:
        raise NotificationError("give user_id or email")
    with force_locale(recipient_language(user, language)):
        subject = _subject(subject)
        body = render_template(f"notifications/{template}", user=user, **context)
    status = "suppressed" if _stopped(user, declared, kind) else "pending"
    # A suppressed message is kept, so the member's message list stays honest.
    message = Notification(user_id=user.id if user else None, email=address,
                           kind=declared.key if declared else kind,
                           plugin=plugin, template=template, subject=subject[:300],
                           body=body, status=status,
                           next_attempt_at=utcnow() + UNTOLD_AFTER)
    db.session.add(message)
    db.session.flush()
    if status == "pending":
        queue.after_commit("send_message", message.id)
    return message


def _stopped(user: Member | None, declared: kinds.DeclaredKind | None, kind: str) -> bool:
    """Whether the member stopped this kind of message (news and offers, or a plugin's
    kind); a bare address gets neither."""
    if kind == "transactional":
        return False
    if user is None:
        return True
    if declared is None:
        return user.marketing_opt_out
    return ((declared.kind.news and user.marketing_opt_out)
            or declared.key in kinds.stopped(user.id))


def send(message_id: int) -> bool:
    """Send one message unless it was sent already; True when it is sent (now or before).

    The message is claimed (its attempts counted, and not due again for ``SENDING_LEASE``)
    in a commit of its own before the mail server is called, so two workers never both send
    it; a worker killed between the send and the record of it leaves the message to be
    sent again after the lease (with the same Message-ID)."""
    message = db.session.get(Notification, message_id)
    if message is None or message.status not in ("pending", "failed"):
        db.session.rollback()
        return message is not None and message.status == "sent"
    attempts, now = message.attempts, utcnow()
    claimed = db.session.execute(
        update(Notification)
        .where(Notification.id == message_id, Notification.attempts == attempts,
               Notification.status.in_(["pending", "failed"]),
               or_(Notification.attempts == 0, Notification.next_attempt_at.is_(None),
                   Notification.next_attempt_at <= now))
        .values(attempts=attempts + 1, next_attempt_at=now + SENDING_LEASE)).rowcount
    db.session.commit()
    if not claimed:
        return False  # another worker is sending it
    try:
        send_mail(message.email, message.subject, message.body,
                  message_id=f"<message-{message.id}-{message.created_at:%Y%m%d%H%M%S}@storefront>")
    except Exception as exc:  # noqa: BLE001 - retried
        log.warning("message %s to %s failed: %s", message_id, message.email, exc)
        pause = timedelta(minutes=min(2 ** attempts, 360))
        db.session.execute(update(Notification).where(Notification.id == message_id)
                           .values(status="failed", last_error=str(exc)[:2000],
                                   next_attempt_at=utcnow() + pause))
        db.session.commit()
        return False
    db.session.execute(update(Notification).where(Notification.id == message_id)
                       .values(status="sent", sent_at=utcnow(), last_error=""))
    db.session.commit()
    return True


def due_messages(now: datetime, limit: int = 1000) -> list[int]:
    """Messages to send now: retries that are due, and any the worker was never told of."""
    return db.session.scalars(
        select(Notification.id)
        .where(Notification.status.in_(["pending", "failed"]),
               Notification.attempts < MAX_ATTEMPTS,
               or_(Notification.next_attempt_at.is_(None),
                   Notification.next_attempt_at <= now))
        .order_by(Notification.id).limit(limit)).all()
