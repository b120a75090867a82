"""Referrals as people read them: the friend, the state and why, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, or_, select

from hooks import get_customers, ngettext, session
from hooks import gettext as _
from loyalty_plugins.referrals import blocks, words
from loyalty_plugins.referrals.models import Referral, ReferralRefusal


@dataclass(frozen=True)
class Line:
    person: str  # the friend (on the referrer's list) or the referrer (on the friend's)
    state: str  # pending | waiting | rewarded | reversed | blocked
    text: str  # the state as the reader reads it, with the why
    at: datetime


def state_text(state: str, block: str = "", due_at: datetime | None = None,
               points: int = 0) -> str:
    if state == "pending":
        return _("pending: no paid order yet")
    if state == "waiting" and due_at is not None:
        return _("waiting for the return window until %(day)s", day=words.day(due_at))
    if state == "rewarded" and points:
        return ngettext("rewarded: %(num)s point", "rewarded: %(num)s points", points)
    if state == "rewarded":
        return _("rewarded")
    if state == "reversed":
        return _("reversed: %(why)s", why=blocks.why(block))
    return _("blocked: %(why)s", why=blocks.why(block))


def _name(people: dict, user_id: int) -> str:
    person = people.get(user_id)
    return (person.name or person.email or "") if person else _("a deleted account")


def involved(user_id: int) -> bool:
    """Whether the member referred, was referred or had a code refused: one query, so that
    a list of many customers asks little of those who have nothing to show."""
    return bool(session().scalar(select(or_(
        exists().where(or_(Referral.referrer_id == user_id, Referral.referee_id == user_id)),
        exists().where(or_(ReferralRefusal.referrer_id == user_id,
                           ReferralRefusal.referee_id == user_id))))))


def made_by(referrer_id: int) -> list[Line]:
    """The member's referrals and the codes of theirs that were refused."""
    db = session()
    referrals = db.scalars(select(Referral).where(Referral.referrer_id == referrer_id)).all()
    refused = db.scalars(select(ReferralRefusal)
                         .where(ReferralRefusal.referrer_id == referrer_id)).all()
    people = get_customers([r.referee_id for r in referrals] + [r.referee_id for r in refused])
    lines = [Line(_name(people, r.referee_id), r.state,
                  state_text(r.state, r.block, r.due_at, r.points), r.created_at)
             for r in referrals]
    lines += [Line(_name(people, r.referee_id), "blocked", state_text("blocked", r.block),
                   r.created_at) for r in refused]
    return sorted(lines, key=lambda line: line.at, reverse=True)


def joined_with(referee_id: int) -> Line | None:
    """The member's own referral, as the friend who was referred."""
    referral = session().scalar(select(Referral).where(Referral.referee_id == referee_id))
    if referral is None:
        return None
    people = get_customers([referral.referrer_id])
    return Line(_name(people, referral.referrer_id), referral.state,
                state_text(referral.state, referral.block, referral.due_at),
                referral.created_at)


def refusals_of(referee_id: int) -> list[Line]:
    """The codes the member entered that were refused, and why."""
    refused = session().scalars(select(ReferralRefusal).where(
        ReferralRefusal.referee_id == referee_id).order_by(ReferralRefusal.id.desc())).all()
    people = get_customers([r.referrer_id for r in refused])
    return [Line(_name(people, r.referrer_id), "blocked", state_text("blocked", r.block),
                 r.created_at) for r in refused]
