"""Writing to the members of a segment: one message each, through the shop's outbox, as a
marketing message (members who opted out of those get none), with an optional offer (a
reward off one order, offers.py). Guests and imported customers without an account are not
written to."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from hooks import gettext as _
from hooks import notify, session, utcnow
from loyalty_plugins.insights import offers
from loyalty_plugins.insights.models import CustomerFigures, SegmentMessage

TEMPLATE = "insights_segment_message.txt"
SUBJECT_LIMIT = 150
BODY_LIMIT = 5000


@dataclass(frozen=True)
class Draft:
    subject: str
    body: str
    token: str
    offer: offers.Offer = field(default_factory=offers.Offer)

    def problems(self) -> dict[str, str]:
        found = {}
        if not self.subject:
            found["subject"] = _("Write a subject.")
        elif len(self.subject) > SUBJECT_LIMIT:
            found["subject"] = _("Keep the subject to %(limit)s characters.", limit=SUBJECT_LIMIT)
        if not self.body:
            found["body"] = _("Write the message.")
        elif len(self.body) > BODY_LIMIT:
            found["body"] = _("Keep the message to %(limit)s characters.", limit=BODY_LIMIT)
        return found


def new_token() -> str:
    return secrets.token_urlsafe(24)


def _members(code: str):
    return select(CustomerFigures.user_id).where(CustomerFigures.segment == code,
                                                 CustomerFigures.user_id.is_not(None))


def member_count(code: str) -> int:
    return session().scalar(select(func.count()).select_from(_members(code).subquery()))


def send(code: str, draft: Draft, sender: str) -> int | None:
    """Queue the message for every member of the segment and commit; how many, or None when
    this form (its token) was sent before."""
    db = session()
    offer = draft.offer if draft.offer.kind in offers.available_kinds() else offers.Offer()
    message = SegmentMessage(token=draft.token, segment=code, subject=draft.subject,
                             body=draft.body, sender=sender, sent_at=utcnow(),
                             offer=offer.kind, offer_percent=offer.percent,
                             offer_amount=offer.amount, offer_multiplier=offer.multiplier,
                             offer_days=offer.days if offer.kind else 0)
    db.add(message)
    try:
        db.flush()
    except IntegrityError:  # the same form, sent twice
        db.rollback()
        return None
    for user_id in db.scalars(_members(code)).all():
        if message.offer:
            offers.grant(message, user_id)
        notify(TEMPLATE, draft.subject, user_id=user_id, kind="marketing",
               **message_context(message, user_id))
        message.recipients += 1
    db.commit()
    return message.recipients


def message_context(message: SegmentMessage, user_id: int) -> dict:
    """What the message's template shows: the words, and the member's offer (described when
    the template is written, in the member's language) with the link to its page."""
    context = {"body": message.body, "offer": None, "offer_path": ""}
    if message.offer:
        context["offer"] = partial(offers.describe, message, user_id)
        context["offer_path"] = f"/plugins/insights/offers/{message.id}"
    return context


def sent_to(code: str, limit: int = 10) -> list[SegmentMessage]:
    return list(session().scalars(select(SegmentMessage).where(SegmentMessage.segment == code)
                                  .order_by(SegmentMessage.id.desc()).limit(limit)))
