"""The member's birthday form (posted from the account page) and the owner's preview."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, flash, redirect, request
from flask import render_template as render_text
from flask_babel import force_locale

from hooks import gettext as _
from hooks import render_template, require_role, session, today, utcnow
from loyalty_plugins.birthdays import dates, profile, service, settings, words

ACCOUNT = "/account#birthday"


def _number(name: str) -> int | None:
    text = request.form.get(name, "").strip()
    return int(text) if text.isdigit() and len(text) <= 4 else None


def save_birthday():
    member = require_role("customer")
    if request.form.get("action") == "remove":
        changed = profile.save(member.id, None, member.email or "", utcnow())
        message = _("Your birthday was removed.") if changed else None
    else:
        year_text = request.form.get("year", "").strip()
        day, month, year = _number("day"), _number("month"), _number("year")
        problem = (_("The year must be a number such as 1990, or left empty.")
                   if year_text and year is None else
                   dates.problem(day, month, year, today()))
        if problem:
            flash(problem, "error")
            return redirect(ACCOUNT, 303)
        value = dates.Birthdate(day, month, year)
        changed = profile.save(member.id, value, member.email or "", utcnow())
        message = _("Your birthday is saved: %(day)s.", day=words.birthdate(value))
    session().commit()
    if changed and message:
        flash(message, "success")
    return redirect(ACCOUNT, 303)


@dataclass(frozen=True)
class Preview:
    language: str
    kind: str
    subject: str
    body: str


def previews(name: str) -> list[Preview]:
    """Each greeting to a member called ``name`` in each of the shop's languages, with the
    saved settings; nothing is written or sent."""
    cfg = settings.current()
    now, day = utcnow(), today()
    member = {"name": name, "email": ""}
    found = []
    for code in current_app.config["LANGUAGES"]:
        with force_locale(code):
            for kind in service.KINDS:
                item = service.Due(0, kind, day, years=3 if kind == "anniversary" else 0)
                body = render_text(f"notifications/{service.TEMPLATES[kind]}", user=member,
                                   **service.message_context(
                                       item, service.planned(item, cfg.gift, now), cfg))
                found.append(Preview(code, kind, str(service.SUBJECTS[kind]), body))
    return found


def preview():
    owner = require_role("owner")
    cfg = settings.current()
    return render_template("birthdays/preview.html", previews=previews(owner.name or "Ana"),
                           gift_missing=service.gift_missing(cfg.gift), cfg=cfg)


def blueprint() -> Blueprint:
    bp = Blueprint("birthdays", __name__, url_prefix="/plugins/birthdays")
    bp.add_url_rule("/birthday", "save", save_birthday, methods=["POST"])
    bp.add_url_rule("/preview", "preview", preview)
    return bp

