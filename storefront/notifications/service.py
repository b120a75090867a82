"""Notifications: any plugin sends a member a message with ``hooks.notify(...)``.

The message is rendered from a theme-overridable template and added to the outbox in the
caller's transaction: if that transaction rolls back, nothing is sent. After the commit the
core's mailer delivers it; a delivery that fails is retried by the job core:deliver-outbox.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app, render_template
from sqlalchemy import event, or_, select, update
from sqlalchemy.orm import Session

from storefront.accounts.models import User
from storefront.extensions import db
from storefront.mail import send_mail
from storefront.notifications.models import Notification
from storefront.timeutil import utcnow

log = logging.getLogger("storefront.notifications")

KINDS = ("transactional", "marketing")
MAX_ATTEMPTS = 10
_PENDING_KEY = "storefront.outbox"


class NotificationError(ValueError):
    pass


def notify(template: str, subject: str, *, user_id: int | None = None,
           email: str | None = None, kind: str = "transactional", plugin: str = "",
           **context) -> Notification:
    """Queue a message to a member (``user_id``) or an address (``email``)."""
    if kind not in KINDS:
        raise NotificationError(f"kind must be one of {', '.join(KINDS)}")
    user = db.session.get(User, user_id) if user_id is not None else None
    if user_id is not None and user is None:
        raise NotificationError(f"no member with id {user_id}")
    address = user.email if user else email
    if not address:
        raise NotificationError("give user_id or email")
    body = render_template(f"notifications/{template}", user=user, **context)
    status = "pending"
    if kind == "marketing" and (user is None or user.marketing_opt_out):
        status = "suppressed"  # kept, so the member's message list stays honest
    message = Notification(user_id=user.id if user else None, email=address, kind=kind,
                           plugin=plugin, template=template, subject=subject[:300],
                           body=body, status=status)
    db.session.add(message)
    db.session.flush()
    if status == "pending":
        db.session.info.setdefault(_PENDING_KEY, []).append(message.id)
    return message


def deliver(ids: list[int]) -> tuple[int, int]:
    """Send the given pending or failed messages; returns (sent, failed)."""
    sent = failed = 0
    with Session(db.engine) as session:
        for message in session.scalars(select(Notification).where(
                Notification.id.in_(ids), Notification.status.in_(["pending", "failed"]))):
            claimed = session.execute(
                update(Notification)
                .where(Notification.id == message.id, Notification.attempts == message.attempts)
                .values(attempts=message.attempts + 1)).rowcount
            session.commit()
            if not claimed:
                continue  # another worker is sending it
            try:
                send_mail(message.email, message.subject, message.body)
            except Exception as exc:  # noqa: BLE001 - retried by the job
                log.warning("notification %s to %s failed: %s", message.id, message.email, exc)
                pause = timedelta(minutes=min(2 ** (message.attempts + 1), 360))
                session.execute(update(Notification).where(Notification.id == message.id)
                                .values(status="failed", last_error=str(exc)[:2000],
                                        next_attempt_at=utcnow() + pause))
                failed += 1
            else:
                session.execute(update(Notification).where(Notification.id == message.id)
                                .values(status="sent", sent_at=utcnow(), last_error=""))
                sent += 1
            session.commit()
    return sent, failed


def deliver_outbox() -> None:
    """Job: deliver what is pending or failed and due again (pauses grow: 2, 4, 8 ... min)."""
    now = utcnow()
    due = db.session.scalars(
        select(Notification.id)
        .where(Notification.status.in_(["pending", "failed"]),
               Notification.attempts < MAX_ATTEMPTS,
               or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))
        .order_by(Notification.id).limit(1000)).all()
    _, failed = deliver(list(due))
    if failed:
        raise RuntimeError(f"{failed} of {len(due)} messages could not be delivered")


@event.listens_for(db.session, "after_commit")
def _deliver_after_commit(session) -> None:
    ids = session.info.pop(_PENDING_KEY, None)
    if ids and current_app.config["MAIL_DELIVER_AFTER_COMMIT"]:
        deliver(ids)


@event.listens_for(db.session, "after_rollback")
def _forget_on_rollback(session) -> None:
    session.info.pop(_PENDING_KEY, None)
