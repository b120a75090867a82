"""Staff pages: the list of complaints (overdue ones marked), one complaint with its thread,
internal notes, status, assignee and goodwill, and the managers' service figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, abort, flash, redirect, request, url_for
from sqlalchemy import select

from hooks import (
    get_customers,
    lazy_gettext,
    notify,
    require_role,
    session,
    shop_timezone,
    staff_members,
    today,
    utcnow,
)
from hooks import gettext as _
from loyalty_plugins.complaints import compensation, service
from loyalty_plugins.complaints.figures import figures
from loyalty_plugins.complaints.models import (
    CATEGORIES,
    NOTE,
    OPEN,
    REPLY,
    STATUSES,
    Attachment,
    Compensation,
    Complaint,
)
from loyalty_plugins.complaints.words import reference

LISTED = 200
REPLY_TEMPLATE = "complaints_reply.txt"


def _complaint(complaint_id: int) -> Complaint:
    complaint = session().get(Complaint, complaint_id)
    if complaint is None:
        abort(404)
    return complaint


def _back(complaint: Complaint):
    return redirect(url_for("complaints.staff_complaint", complaint_id=complaint.id), 303)


def notify_reply(complaint: Complaint, text: str) -> None:
    """The reply, by message: to the member's account (listed under their messages), or to
    a guest's address."""
    subject = lazy_gettext("Reply to your complaint %(reference)s",
                           reference=reference(complaint.id))
    context = {"reference": reference(complaint.id), "reply": text,
               "member": complaint.user_id is not None,
               "path": url_for("complaints.thread", complaint_id=complaint.id),
               "new_path": url_for("complaints.new"), "name": complaint.name,
               "address": complaint.email}
    if complaint.user_id is not None:
        notify(REPLY_TEMPLATE, subject, user_id=complaint.user_id, **context)
    else:
        notify(REPLY_TEMPLATE, subject, email=complaint.email, **context)


def shop_day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """``[first, last]`` in the shop's days, as naive UTC ``[start, end)``."""
    zone = shop_timezone()

    def start_of(day: date) -> datetime:
        return datetime.combine(day, time(), zone).astimezone(UTC).replace(tzinfo=None)

    return start_of(first), start_of(last + timedelta(days=1))


def _period() -> tuple[date, date, str]:
    last = today()
    first = last - timedelta(days=29)
    try:
        first = date.fromisoformat(request.args.get("from") or first.isoformat())
        last = date.fromisoformat(request.args.get("to") or last.isoformat())
    except ValueError:
        return first, last, _("Give both days as dates.")
    if first > last:
        return first, last, _("The first day must come before the last.")
    return first, last, ""


def add_routes(bp: Blueprint, page: Callable) -> None:
    @bp.get("/staff")
    def staff_list():
        viewer = require_role("staff")
        wanted = request.args.get("status", "open")
        query = select(Complaint)
        if wanted == "open":
            query = query.where(Complaint.status.in_(OPEN))
        elif wanted in STATUSES:
            query = query.where(Complaint.status == wanted)
        if request.args.get("mine"):
            query = query.where(Complaint.assignee_id == viewer.id)
        found = session().scalars(query.order_by(Complaint.created_at.desc(), Complaint.id.desc())
                                  .limit(LISTED)).all()
        now = utcnow()
        staff = get_customers({c.assignee_id for c in found if c.assignee_id})
        return page("complaints/staff_list.html", complaints=found, now=now, wanted=wanted,
                    overdue=service.overdue, staff=staff, status_choices=STATUSES,
                    mine=bool(request.args.get("mine")))

    @bp.get("/staff/<int:complaint_id>")
    def staff_complaint(complaint_id: int):
        viewer = require_role("staff")
        complaint = _complaint(complaint_id)
        offers = compensation.of_complaint(complaint.id)
        files = session().scalars(select(Attachment).where(
            Attachment.complaint_id == complaint.id).order_by(Attachment.id)).all()
        assignee = get_customers([complaint.assignee_id]).get(complaint.assignee_id) \
            if complaint.assignee_id else None
        return page("complaints/staff_complaint.html", complaint=complaint, viewer=viewer,
                    entries=service.thread(complaint, staff=True), files=files,
                    offers=offers, describe=compensation.describe,
                    may_approve=compensation.may_approve,
                    needs_manager=compensation.needs_manager,
                    kinds_available=compensation.available_kinds(), assignee=assignee,
                    staff_members=staff_members(),
                    overdue=service.overdue(complaint, utcnow()), status_choices=STATUSES,
                    reference=reference(complaint.id))

    @bp.post("/staff/<int:complaint_id>/status")
    def staff_status(complaint_id: int):
        viewer = require_role("staff")
        complaint = _complaint(complaint_id)
        try:
            service.set_status(complaint, request.form.get("status", ""), utcnow())
        except service.Refused as exc:
            flash(str(exc), "error")
            return _back(complaint)
        assign = request.form.get("assignee", "keep")
        if assign == "me":
            complaint.assignee_id = viewer.id
        elif assign == "nobody":
            complaint.assignee_id = None
        elif assign != "keep":
            chosen = next((m for m in staff_members() if str(m.id) == assign), None)
            if chosen is None:
                session().rollback()
                flash(_("Choose a member of staff as the assignee."), "error")
                return _back(complaint)
            complaint.assignee_id = chosen.id
        session().commit()
        flash(_("%(reference)s saved.", reference=reference(complaint.id)), "success")
        return _back(complaint)

    @bp.post("/staff/<int:complaint_id>/entries")
    def staff_entry(complaint_id: int):
        viewer = require_role("staff")
        complaint = _complaint(complaint_id)
        kind = REPLY if request.form.get("kind") == REPLY else NOTE
        try:
            entry = service.add_entry(complaint, kind, viewer, request.form.get("text", ""),
                                      utcnow())
        except service.Refused as exc:
            session().rollback()
            flash(str(exc), "error")
            return _back(complaint)
        if kind == REPLY:
            if request.form.get("then") == "waiting":
                complaint.status = "waiting"
            notify_reply(complaint, entry.text)
        session().commit()
        flash(_("Reply sent.") if kind == REPLY else _("Note saved."), "success")
        return _back(complaint)

    @bp.post("/staff/<int:complaint_id>/goodwill")
    def staff_propose(complaint_id: int):
        viewer = require_role("staff")
        complaint = _complaint(complaint_id)
        kind = request.form.get("kind", "")
        try:
            value = _whole(request.form.get("value", ""), money=kind == "reward")
            compensation.propose(complaint, kind, value, viewer, utcnow())
        except service.Refused as exc:
            session().rollback()
            flash(str(exc), "error")
            return _back(complaint)
        session().commit()
        flash(_("Goodwill proposed."), "success")
        return _back(complaint)

    @bp.post("/staff/<int:complaint_id>/goodwill/<int:offer_id>")
    def staff_decide(complaint_id: int, offer_id: int):
        viewer = require_role("staff")
        complaint = _complaint(complaint_id)
        offer = session().get(Compensation, offer_id)
        if offer is None or offer.complaint_id != complaint.id:
            abort(404)
        approve = request.form.get("action") == "approve"
        try:
            decided = compensation.decide(offer, complaint, approve, viewer, utcnow())
        except service.Refused as exc:
            session().rollback()
            return page("complaints/message.html", exc.status, message=str(exc),
                        complaint=complaint)
        session().commit()
        if not decided:
            flash(_("Someone decided this goodwill already."), "error")
        elif approve:
            flash(_("Goodwill approved and given."), "success")
        else:
            flash(_("Goodwill declined."), "success")
        return _back(complaint)

    @bp.get("/figures")
    def staff_figures():
        require_role("manager")
        first, last, problem = _period()
        start, end = shop_day_bounds(first, last)
        found = figures(start, end, utcnow())
        return page("complaints/figures.html", found=found, first=first, last=last,
                    problem=problem, category_order=CATEGORIES, status_order=STATUSES)


def _whole(text: str, money: bool) -> int:
    """A positive whole number of points, or an amount typed as "12.50" in minor units."""
    cleaned = text.strip().replace(",", ".")
    try:
        if money:
            units, _dot, cents = cleaned.partition(".")
            if len(cents) > 2 or not (units or cents):
                raise ValueError(cleaned)
            return int(units or "0") * 100 + int((cents or "0").ljust(2, "0"))
        return int(cleaned)
    except ValueError:
        raise service.Refused(_("Give a positive number of points or amount.")) from None
