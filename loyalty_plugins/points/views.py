"""The points plugin's pages, mounted under /plugins/points."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, timedelta

from flask import Blueprint, Response, abort, flash, redirect, request, session, url_for
from sqlalchemy import func, select

from hooks import (
    CustomerView,
    current_customer,
    get_customer,
    get_customers,
    ngettext,
    number,
    render_template,
    require_role,
    spreadsheet_safe,
)
from hooks import gettext as _
from hooks import session as db_session
from loyalty_plugins.points import adjustments, config, ledger
from loyalty_plugins.points.clock import local_date, local_datetime, start_of_local_day, utcnow
from loyalty_plugins.points.describe import cached_labels, describe_actor, describe_entry
from loyalty_plugins.points.models import PointsAdjustment, PointsEntry

REDEEM_KEY = "points_redeem"
PAGE_SIZE = 50


def kind_label(kind: str, points: int) -> str:
    """What a ledger entry of ``kind`` did to ``points`` points, in the reader's language. The
    English is the same for any number; other languages make the words agree with it
    ("Punto caducado", "Puntos caducados")."""
    n = abs(points)
    labels = {
        "earn": lambda: ngettext("Earned", "Earned", n),
        "bonus": lambda: ngettext("Bonus", "Bonus", n),
        "adjust": lambda: ngettext("Correction by staff", "Correction by staff", n),
        "mature": lambda: ngettext("Now usable", "Now usable", n),
        "freeze": lambda: ngettext("On hold: payment disputed", "On hold: payment disputed", n),
        "thaw": lambda: ngettext("Dispute ended", "Dispute ended", n),
        "reserve": lambda: ngettext("Used at checkout", "Used at checkout", n),
        "spend": lambda: ngettext("Spent", "Spent", n),
        "release": lambda: ngettext("Returned (order cancelled)", "Returned (order cancelled)",
                                    n),
        "refund": lambda: ngettext("Returned (order refunded)", "Returned (order refunded)", n),
        "expire": lambda: ngettext("Expired", "Expired", n),
        "reverse": lambda: ngettext("Taken back (refund)", "Taken back (refund)", n),
        "claim": lambda: ngettext("Guest order points added", "Guest order points added", n),
    }
    label = labels.get(kind)
    return label() if label else kind


def _member_or_login():
    customer = current_customer()
    if not customer.is_member:
        return None, redirect(url_for("accounts.login", next=request.path))
    return customer, None


def _history(user_id: int, page: int = 1):
    # What a member sees: usable and pending points, not the internal reservations.
    return db_session().scalars(
        select(PointsEntry).where(PointsEntry.user_id == user_id,
                                  PointsEntry.bucket != "reserved", PointsEntry.delta != 0)
        .order_by(PointsEntry.id.desc()).limit(PAGE_SIZE + 1).offset((page - 1) * PAGE_SIZE)
    ).all()


def blueprint() -> Blueprint:
    bp = Blueprint("points", __name__)

    @bp.post("/redeem")
    def redeem():
        customer, login = _member_or_login()
        if login:
            return login
        cfg = config.current()
        action = request.form.get("action", "use")
        if action == "remove":
            session.pop(REDEEM_KEY, None)
            flash(_("Points removed from this order."), "success")
            return redirect(url_for("orders.checkout"), 303)
        available = ledger.usable(customer.id, utcnow())
        raw = request.form.get("points", "").strip()
        if action == "all":
            wanted = available
        elif raw.isdigit():
            wanted = int(raw)
        else:
            flash(_("Enter the number of points as a whole number."), "error")
            return redirect(url_for("orders.checkout"), 303)
        if wanted > available:
            flash(ngettext("You have %(num)s point; using it.",
                           "You have %(num)s points; using all of them.", available), "error")
            wanted = available
        if wanted < cfg.min_redeem:
            flash(ngettext("Use at least %(num)s point at a time.",
                           "Use at least %(num)s points at a time.", cfg.min_redeem), "error")
            return redirect(url_for("orders.checkout"), 303)
        session[REDEEM_KEY] = wanted
        flash(ngettext("%(num)s point will pay part of this order (up to %(percent)s%% of it).",
                       "%(num)s points will pay part of this order (up to %(percent)s%% of it).",
                       wanted, percent=cfg.max_share_percent), "success")
        return redirect(url_for("orders.checkout"), 303)

    @bp.get("/history")
    def history():
        customer, login = _member_or_login()
        if login:
            return login
        return _history_page(customer.id, staff=False)

    @bp.get("/statement.csv")
    def statement():
        customer, login = _member_or_login()
        if login:
            return login
        return _statement(customer.id)

    @bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
    def staff(user_id: int):
        actor = require_role("staff")
        member = get_customer(user_id)
        if member is None:
            abort(404)
        if request.method == "POST":
            _staff_adjust(member, actor)
            return redirect(url_for("points.staff", user_id=user_id), 303)
        return _history_page(user_id, staff=True, member=member, actor=actor)

    @bp.get("/staff/adjustments")
    def staff_adjustments():
        return _adjustments_page(require_role("staff"))

    @bp.post("/staff/adjustments/<int:adjustment_id>/approve")
    def approve_adjustment(adjustment_id: int):
        return _decide(lambda actor: adjustments.approve(
            adjustment_id, actor, config.current(), now=utcnow()))

    @bp.post("/staff/adjustments/<int:adjustment_id>/reject")
    def reject_adjustment(adjustment_id: int):
        note = request.form.get("note", "").strip()
        return _decide(lambda actor: adjustments.reject(adjustment_id, actor, note,
                                                        now=utcnow()))

    return bp


def _page() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def _history_page(user_id: int, staff: bool, member: CustomerView | None = None,
                  actor: CustomerView | None = None):
    cfg = config.current()
    page = _page()
    rows = _history(user_id, page)
    label = cached_labels()
    forgiven = ledger.forgiven_reversals(user_id) if staff else []
    waiting = adjustments.pending_for(user_id) if staff else []
    return render_template("points/history.html", entries=rows[:PAGE_SIZE], page=page,
                           has_next=len(rows) > PAGE_SIZE, kind_label=kind_label,
                           entry_reason=lambda entry: describe_entry(entry, label),
                           entry_actor=describe_actor,
                           account=ledger.balance(user_id), staff=staff, member=member,
                           available=ledger.usable(user_id, utcnow()),
                           own=actor is not None and actor.id == user_id,
                           forgiven=forgiven, waiting=waiting, order_label=label,
                           cfg=cfg, local=lambda moment: local_date(moment, cfg.tz),
                           today=local_date(utcnow(), cfg.tz))


def _adjustment_form() -> tuple[int, str] | None:
    """The points and reason the staff form sent, or None (with a message) if not valid."""
    raw = request.form.get("points", "").strip()
    reason = request.form.get("reason", "").strip()
    try:
        points = int(raw)
    except ValueError:
        flash(_("Points must be a whole number, e.g. 50 or -20."), "error")
        return None
    if points == 0 or abs(points) > 10**7:
        flash(_("Points must not be 0 (and at most 10,000,000)."), "error")
        return None
    if not reason:
        flash(_("Say why: the reason is shown to the member."), "error")
        return None
    return points, reason


def _staff_adjust(member: CustomerView, actor: CustomerView) -> None:
    form = _adjustment_form()
    if form is None:
        return
    points, reason = form
    cfg = config.current()
    now = utcnow()
    try:
        row = adjustments.request(member, actor, points, reason, cfg, now=now)
    except adjustments.Refused as exc:
        db_session().rollback()
        abort(403, str(exc))
    except ledger.PointsError as exc:
        db_session().rollback()
        flash(str(exc), "error")
        return
    db_session().commit()
    # ``points``: the correction with its sign (+50, -20); its size picks the plural.
    said = {"points": number(points, signed=True), "email": member.email,
            "limit": number(cfg.approval_above)}
    if row.status == "pending" and abs(points) <= cfg.approval_above:
        lately = adjustments.applied_lately(member.id, actor.id, now=now)
        flash(ngettext(
            "%(points)s point for %(email)s, with the %(lately)s points you corrected for this "
            "member in the last 24 hours, is more than %(limit)s points, so it waits for a "
            "manager or the owner to approve it; the balance does not change until then.",
            "%(points)s points for %(email)s, with the %(lately)s points you corrected for this "
            "member in the last 24 hours, is more than %(limit)s points, so it waits for a "
            "manager or the owner to approve it; the balance does not change until then.",
            abs(points), lately=number(lately), **said), "success")
    elif row.status == "pending":
        flash(ngettext(
            "%(points)s point for %(email)s is more than %(limit)s points, so it waits for a "
            "manager or the owner to approve it; the balance does not change until then.",
            "%(points)s points for %(email)s is more than %(limit)s points, so it waits for a "
            "manager or the owner to approve it; the balance does not change until then.",
            abs(points), **said), "success")
    else:
        flash(ngettext("%(points)s point for %(email)s: %(reason)s",
                       "%(points)s points for %(email)s: %(reason)s", abs(points),
                       reason=reason, **said), "success")


def _adjustments_page(actor: CustomerView):
    cfg = config.current()
    page = _page()
    waiting = adjustments.pending() if page == 1 else []
    done = adjustments.decided(PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
    shown = waiting + done[:PAGE_SIZE]
    members = get_customers({row.user_id for row in shown})
    return render_template("points/adjustments.html", waiting=waiting, done=done[:PAGE_SIZE],
                           page=page, has_next=len(done) > PAGE_SIZE, members=members,
                           refusal=lambda row: adjustments.refusal(row, actor), cfg=cfg,
                           local=lambda moment: local_datetime(moment, cfg.tz)
                           .strftime("%Y-%m-%d %H:%M"))


def _decide(decision: Callable[[CustomerView], PointsAdjustment]) -> Response:
    """Approve or reject (``decision``) as the current member of staff, then back to the
    list: 404 for customers and unknown corrections, 403 when separation of duties forbids
    it, a message when it was already decided or cannot be applied."""
    actor = require_role("staff")
    try:
        row = decision(actor)
    except adjustments.NotFound:
        abort(404)
    except adjustments.Refused as exc:
        db_session().rollback()
        abort(403, str(exc))
    except ledger.PointsError as exc:
        db_session().rollback()
        flash(str(exc), "error")
        return redirect(url_for("points.staff_adjustments"), 303)
    db_session().commit()
    member = get_customer(row.user_id)
    said = {"points": number(row.points, signed=True),
            "email": member.email if member else _("the member")}
    if row.status == "applied":
        flash(ngettext("%(points)s point for %(email)s: approved and applied.",
                       "%(points)s points for %(email)s: approved and applied.",
                       abs(row.points), **said), "success")
    else:
        flash(ngettext("%(points)s point for %(email)s: rejected.",
                       "%(points)s points for %(email)s: rejected.", abs(row.points), **said),
              "success")
    return redirect(url_for("points.staff_adjustments"), 303)


def _parse_day(raw: str | None, default: date) -> date:
    if not raw:
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        abort(400, _("Dates are written YYYY-MM-DD."))


def _statement(user_id: int) -> Response:
    cfg = config.current()
    today = local_date(utcnow(), cfg.tz)
    first = _parse_day(request.args.get("start"), today.replace(day=1))
    last = _parse_day(request.args.get("end"), today)
    if last < first or (last - first).days > 3660:
        abort(400, _("The period must start before it ends and span at most ten years."))
    start = start_of_local_day(first, cfg.tz)
    end = start_of_local_day(last + timedelta(days=1), cfg.tz)
    opening = db_session().scalar(select(func.coalesce(func.sum(PointsEntry.delta), 0)).where(
        PointsEntry.user_id == user_id, PointsEntry.bucket == "available",
        PointsEntry.created_at < start)) or 0
    rows = db_session().scalars(select(PointsEntry).where(
        PointsEntry.user_id == user_id, PointsEntry.bucket != "reserved",
        PointsEntry.delta != 0, PointsEntry.created_at >= start, PointsEntry.created_at < end)
        .order_by(PointsEntry.id)).all()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("date"), _("what"), _("usable points"), _("pending points"),
                     _("balance"), _("reason"), _("by")])
    writer.writerow([first.isoformat(), _("Opening balance"), "", "", opening, "", ""])
    balance = opening
    label = cached_labels()
    for entry in rows:
        usable = entry.delta if entry.bucket == "available" else ""
        pending = entry.delta if entry.bucket == "pending" else ""
        balance += entry.delta if entry.bucket == "available" else 0
        writer.writerow([local_date(entry.created_at, cfg.tz).isoformat(),
                         kind_label(entry.kind, entry.delta), usable, pending, balance,
                         spreadsheet_safe(describe_entry(entry, label)),
                         spreadsheet_safe(describe_actor(entry))])
    writer.writerow([last.isoformat(), _("Closing balance"), "", "", balance, "", ""])
    name = f"points-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


__all__ = ["REDEEM_KEY", "blueprint"]
