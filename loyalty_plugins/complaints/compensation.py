"""Goodwill: staff propose points or a reward (an amount off the next order); staff approve
up to the owner's limit, managers and the owner above it. An approval is a conditional
UPDATE from "proposed", so of two people approving at once one grants; the grant's key is
the compensation's, so a grant repeated gives nothing more."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from hooks import N_, CustomerView, call, money, ngettext, provided, session
from hooks import gettext as _
from loyalty_plugins.complaints import settings
from loyalty_plugins.complaints.models import Compensation, Complaint
from loyalty_plugins.complaints.service import Refused
from loyalty_plugins.complaints.words import reference

# In the ledger (kept in English, its audit trail) and on the reward, in the member's language.
POINTS_REASON = "goodwill for complaint {reference}"
REWARD_LABEL = N_("Goodwill gesture for complaint %(reference)s")
KINDS = {"points": "points_grant", "reward": "rewards_grant"}


def key(compensation: Compensation) -> str:
    return f"complaint:{compensation.complaint_id}:{compensation.id}"


def available_kinds() -> list[str]:
    return [kind for kind, hook in KINDS.items() if provided(hook)]


def propose(complaint: Complaint, kind: str, value: int, staff: CustomerView,
            now: datetime) -> Compensation:
    if kind not in available_kinds():
        raise Refused(_("That kind of goodwill is not available: its plugin is off."))
    if value <= 0:
        raise Refused(_("Give a positive number of points or amount."))
    if complaint.user_id is None:
        raise Refused(_("Goodwill goes to members; this complaint is a guest's."))
    offer = Compensation(complaint_id=complaint.id, kind=kind,
                         points=value if kind == "points" else 0,
                         amount=value if kind == "reward" else 0, status="proposed",
                         proposed_by=_who(staff), proposed_at=now)
    session().add(offer)
    session().flush()
    return offer


def needs_manager(offer: Compensation, values: dict | None = None) -> bool:
    values = values or settings.current()
    if offer.kind == "points":
        return offer.points > values["staff_points_limit"]
    return offer.amount > values["staff_amount_limit"]


def may_approve(offer: Compensation, actor: CustomerView) -> bool:
    return actor.has_role("manager") or (actor.has_role("staff") and not needs_manager(offer))


def decide(offer: Compensation, complaint: Complaint, approve: bool, actor: CustomerView,
           now: datetime) -> bool:
    """Approve (and grant) or decline a proposal; True when this call decided it."""
    if complaint.user_id == actor.id:
        raise Refused(_("Nobody decides goodwill on their own complaint."), 403)
    if approve and not may_approve(offer, actor):
        raise Refused(_("This goodwill is above what staff may approve; a manager "
                        "approves it."), 403)
    decided = session().execute(
        update(Compensation).where(Compensation.id == offer.id,
                                   Compensation.status == "proposed")
        .values(status="approved" if approve else "declined", decided_by=_who(actor),
                decided_at=now)).rowcount
    if not decided:
        return False
    if approve:
        grant(offer, complaint, now)
    return True


def grant(offer: Compensation, complaint: Complaint, now: datetime) -> None:
    ref = reference(complaint.id)
    if offer.kind == "points":
        call("points_grant", user_id=complaint.user_id, points=offer.points,
             reason=POINTS_REASON.format(reference=ref), key=key(offer), actor="complaints")
    else:
        days = settings.current()["reward_days"]
        call("rewards_grant", user_id=complaint.user_id, key=key(offer), label=REWARD_LABEL,
             label_args={"reference": ref}, percent=None, amount=offer.amount,
             until=now + timedelta(days=days))


def of_complaint(complaint_id: int) -> list[Compensation]:
    return list(session().scalars(select(Compensation)
                                  .where(Compensation.complaint_id == complaint_id)
                                  .order_by(Compensation.id)))


def describe(offer: Compensation) -> str:
    if offer.kind == "points":
        return ngettext("%(num)s point", "%(num)s points", offer.points)
    return _("%(amount)s off the next order", amount=money(offer.amount))


def _who(actor: CustomerView) -> str:
    return (actor.name or actor.email or f"#{actor.id}")[:200]
