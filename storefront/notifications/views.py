from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import BooleanField

from storefront import events
from storefront.extensions import db
from storefront.notifications import kinds
from storefront.notifications.models import Notification
from storefront.notifications.service import member
from storefront.web.forms import ShopForm

bp = Blueprint("notifications", __name__, url_prefix="/account")


class PreferencesForm(ShopForm):
    marketing = BooleanField(lazy_gettext("Send me news, offers and invitations"))


@bp.get("/messages")
@login_required
def messages():
    rows = db.session.scalars(
        select(Notification).where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc()).limit(200)).all()
    return render_template("accounts/messages.html", messages=rows)


@bp.get("/messages/<int:message_id>")
@login_required
def message(message_id: int):
    row = db.session.get(Notification, message_id)
    if row is None or row.user_id != current_user.id:
        abort(404)
    return render_template("accounts/message.html", message=row)


def _preferences_form(declared: list[kinds.DeclaredKind]) -> PreferencesForm:
    """The form with a box for each enabled plugin's kind of message (ticked: sent)."""

    class Form(PreferencesForm):
        pass

    for index, found in enumerate(declared):
        setattr(Form, f"kind_{index}", BooleanField(found.kind.label,
                                                    description=found.kind.help))
    return Form()


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    user = member(current_user.id)
    declared = kinds.declared()
    form = _preferences_form(declared)
    boxes = [(found, form[f"kind_{index}"]) for index, found in enumerate(declared)]
    if form.validate_on_submit():
        changed = []
        if user.marketing_opt_out != (not form.marketing.data):
            user.marketing_opt_out = not form.marketing.data
            changed.append("marketing_opt_out")
        if kinds.save_stopped(user.id, {found.key for found, box in boxes if not box.data},
                              {found.key for found in declared}):
            changed.append("message_kinds")
        if changed:
            events.record("customer.profile_changed", aggregate_type="customer",
                          aggregate_id=user.id,
                          payload={"user_id": user.id, "fields": changed})
        db.session.commit()
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("notifications.preferences")), 303
    if not form.is_submitted():
        stopped = kinds.stopped(user.id)
        form.marketing.data = not user.marketing_opt_out
        for found, box in boxes:
            box.data = found.key not in stopped
    return render_template("accounts/preferences.html", form=form, boxes=boxes)
