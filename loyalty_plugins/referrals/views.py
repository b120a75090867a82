"""The referral pages: the member's page, the friend's link, entering a code, the owner's
figures and the preview of the messages."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for

from hooks import current_customer, render_template, require_role, session, utcnow
from hooks import gettext as _
from loyalty_plugins.referrals import blocks, codes, figures, listing, preview, service, settings

COOKIE_DAYS = 30
# Where the form to enter a code may send the shopper back to.
RETURNS = ("/checkout", "/account")


def member_or_login():
    viewer = current_customer()
    if not viewer.is_member:
        abort(redirect(url_for("accounts.login", next=request.path)))
    return viewer


def page():
    viewer = member_or_login()
    code = codes.code_of(viewer.id)
    session().commit()  # the code made on first view
    return render_template(
        "referrals/page.html", code=code, link=codes.link(code),
        referrals=listing.made_by(viewer.id), mine=listing.joined_with(viewer.id),
        refusals=listing.refusals_of(viewer.id),
        may_enter=service.may_enter_code(viewer),
        remembered=request.cookies.get(codes.COOKIE, ""), back="")


def arrive(code: str):
    """The friend's link: remember the code for registration and the first checkout."""
    if codes.owner_of(code) is None:
        flash(_("This referral link is not valid. Ask your friend for their code."), "error")
        return redirect("/")
    viewer = current_customer()
    target = (url_for("referrals.page") if viewer.is_member
              else url_for("accounts.register", next=url_for("referrals.page")))
    response = redirect(target)
    response.set_cookie(codes.COOKIE, codes.clean(code), max_age=COOKIE_DAYS * 86400,
                        httponly=True, samesite="Lax", secure=request.is_secure)
    return response


def enter():
    viewer = member_or_login()
    back = request.form.get("next", "")
    target = back if back in RETURNS else url_for("referrals.page")
    entered = service.enter(viewer, request.form.get("code", ""), settings.current(),
                            utcnow())
    session().commit()
    if entered.outcome == "accepted":
        flash(_("Your friend's code is accepted. Welcome!"), "success")
    elif entered.outcome == "unknown":
        flash(_("There is no referral code %(code)s. Please check it.",
                code=codes.clean(request.form.get("code", ""))), "error")
    elif entered.outcome == "used":
        flash(_("You have already joined with a friend's code."), "error")
    elif entered.outcome == "staff":
        flash(_("Staff accounts cannot use referral codes."), "error")
    else:
        flash(_("This code cannot be used: %(why)s", why=blocks.why(entered.block)), "error")
    response = redirect(target)
    response.delete_cookie(codes.COOKIE)
    return response


def owner_page():
    require_role("manager")
    return render_template("referrals/owner.html", rows=figures.per_member())


def preview_page():
    owner = require_role("owner")
    return render_template("referrals/preview.html",
                           previews=preview.previews(owner.name or "Ana"))


def blueprint() -> Blueprint:
    bp = Blueprint("referrals", __name__, url_prefix="/referrals")
    bp.add_url_rule("/", "page", page)
    bp.add_url_rule("/r/<code>", "arrive", arrive)
    bp.add_url_rule("/enter", "enter", enter, methods=["POST"])
    bp.add_url_rule("/owner", "owner", owner_page)
    bp.add_url_rule("/preview", "preview", preview_page)
    return bp
