"""The member's and guest's pages: filing a complaint, the member's thread with its replies,
their own messages, the rating of the resolution, and the attachments."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, flash, redirect, request, url_for
from sqlalchemy import select

from hooks import current_customer, render_template, session, utcnow
from hooks import gettext as _
from loyalty_plugins.complaints import attachments, service, settings, staff_views
from loyalty_plugins.complaints.models import FILED, KINDS, MEMBER, Attachment, Complaint
from loyalty_plugins.complaints.text import render
from loyalty_plugins.complaints.words import CATEGORY_NAMES, KIND_NAMES, STATUS_NAMES, reference


def page(template: str, status: int = 200, **context):
    return render_template(template, render=render, statuses=STATUS_NAMES,
                           categories=CATEGORY_NAMES, kinds=KIND_NAMES, **context), status


def own_or_404(complaint_id: int) -> Complaint:
    """The member's own complaint; a 404 for anyone else, staff included (theirs is the
    staff page), so that nobody learns which complaints exist."""
    viewer = current_customer()
    complaint = session().get(Complaint, complaint_id)
    if complaint is None or not viewer.is_member or not service.visible_to_member(
            complaint, viewer.id):
        abort(404)
    return complaint


def _uploads(complaint: Complaint, values: dict, now) -> None:
    """Check every file first, then store them: a refused file leaves none behind."""
    files = [f for f in request.files.getlist("attachments") if f and f.filename]
    if len(files) > values["attachments_per_complaint"]:
        raise service.Refused(_("Attach at most %(count)s files.",
                                count=values["attachments_per_complaint"]))
    limit = values["attachment_max_kb"]
    read = [(upload.stream.read(limit * 1024 + 1), upload.filename) for upload in files]
    try:
        for data, name in read:
            attachments.checked(data, name, limit)
    except attachments.Rejected as exc:
        raise service.Refused(str(exc)) from exc
    for data, name in read:
        session().add(attachments.store(complaint.id, data, name, limit, now))


def new():
    viewer = current_customer()
    values = settings.current()
    form = {"kind": "complaint", "category": "order", "about": "", "text": "", "order": "",
            "email": "" if not viewer.is_member else viewer.email, "name": ""}
    if request.method == "GET":
        return page("complaints/new.html", form=form, values=values, error="", filed=FILED,
                    kind_choices=KINDS, member=viewer.is_member)
    form.update({name: request.form.get(name, "") for name in form})
    if viewer.is_member:
        form["email"] = viewer.email or ""
    try:
        if form["kind"] not in KINDS or form["category"] not in FILED:
            raise service.Refused(_("Choose what your message is about from the list."))
        if not viewer.is_member and ("@" not in form["email"] or not form["order"].strip()):
            raise service.Refused(_("Without an account, give the number of your order and "
                                    "the e-mail address you ordered with."))
        now = utcnow()
        if not viewer.is_member:
            service.refuse_guessing(form["email"], now)
        try:
            order = service.find_order(form["order"], viewer if viewer.is_member else None,
                                       form["email"])
        except service.Refused:
            if not viewer.is_member:
                session().rollback()
                service.record_miss(form["email"], now)
                session().commit()
            raise
        filing = service.Filing(form["kind"], form["category"], form["about"], form["text"],
                                order)
        complaint = service.file(viewer if viewer.is_member else None, form["email"],
                                 viewer.name or form["name"] if viewer.is_member
                                 else form["name"], filing, now)
        _uploads(complaint, values, now)
    except service.Refused as exc:
        session().rollback()
        return page("complaints/new.html", exc.status, form=form, values=values,
                    error=str(exc), filed=FILED, kind_choices=KINDS, member=viewer.is_member)
    session().commit()
    if viewer.is_member:
        flash(_("Thank you. We received your message as %(reference)s.",
                reference=reference(complaint.id)), "success")
        return redirect(url_for("complaints.thread", complaint_id=complaint.id), 303)
    return page("complaints/filed.html", reference=reference(complaint.id), email=form["email"])


def thread(complaint_id: int):
    complaint = own_or_404(complaint_id)
    files = session().scalars(select(Attachment).where(
        Attachment.complaint_id == complaint.id).order_by(Attachment.id)).all()
    return page("complaints/thread.html", complaint=complaint,
                entries=service.thread(complaint, staff=False), files=files, error="")


def message(complaint_id: int):
    complaint = own_or_404(complaint_id)
    try:
        service.add_entry(complaint, MEMBER, current_customer(), request.form.get("text", ""),
                          utcnow())
    except service.Refused as exc:
        session().rollback()
        complaint = own_or_404(complaint_id)
        return page("complaints/thread.html", exc.status, complaint=complaint,
                    entries=service.thread(complaint, staff=False), files=[],
                    error=str(exc))
    session().commit()
    flash(_("Your message is sent."), "success")
    return redirect(url_for("complaints.thread", complaint_id=complaint.id), 303)


def rating(complaint_id: int):
    complaint = own_or_404(complaint_id)
    try:
        service.rate(complaint, request.form.get("satisfied") == "yes", utcnow())
    except service.Refused as exc:
        flash(str(exc), "error")
        return redirect(url_for("complaints.thread", complaint_id=complaint.id), 303)
    session().commit()
    flash(_("Thank you for telling us."), "success")
    return redirect(url_for("complaints.thread", complaint_id=complaint.id), 303)


def attachment(complaint_id: int, attachment_id: int):
    """The file, to the member who filed the complaint and to staff; a 404 for anyone else."""
    viewer = current_customer()
    complaint = session().get(Complaint, complaint_id)
    found = session().get(Attachment, attachment_id)
    allowed = complaint is not None and (viewer.has_role("staff") or (
        viewer.is_member and service.visible_to_member(complaint, viewer.id)))
    if not allowed or found is None or found.complaint_id != complaint.id:
        abort(404)
    return attachments.response(found)


def blueprint() -> Blueprint:
    bp = Blueprint("complaints", __name__, url_prefix="/plugins/complaints",
                   static_folder=str(Path(__file__).parent / "static"), static_url_path="/static")
    bp.add_url_rule("/new", "new", new, methods=["GET", "POST"])
    bp.add_url_rule("/<int:complaint_id>", "thread", thread)
    bp.add_url_rule("/<int:complaint_id>/messages", "message", message, methods=["POST"])
    bp.add_url_rule("/<int:complaint_id>/rating", "rating", rating, methods=["POST"])
    bp.add_url_rule("/<int:complaint_id>/files/<int:attachment_id>", "attachment", attachment)
    staff_views.add_routes(bp, page)
    return bp
