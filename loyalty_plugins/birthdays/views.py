"""The member's birthday form (posted from the account page) and the owner's preview."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Blueprint, current_app, flash, redirect, request
from flask import render_template as render_text
from flask_babel import force_locale

from hooks import gettext as _
from hooks import render_template, require_role, session, today, utcnow
from loyalty_plugins.birthdays import dates, profile, service, settings, words

ACCOUNT = "/account#birthday"
# What the member typed, sent back to the account page with a refused birthday, so that the
# panel shows it again with what is wrong next to it.
ENTERED = {"day": "birthday_day", "month": "birthday_month", "year": "birthday_year"}


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 4 else None


def read(fields: Mapping[str, str]) -> tuple[dates.Birthdate | None, str | None]:
    """The birthday in ``fields`` (``day``, ``month``, ``year``), or what is wrong with it."""
    day, month = _number(fields.get("day", "")), _number(fields.get("month", ""))
    year_text = fields.get("year", "").strip()
    year = _number(year_text)
    if year_text and year is None:
        return None, _("The year must be a number such as 1990, or left empty.")
    problem = dates.problem(day, month, year, today())
    return (None, problem) if problem else (dates.Birthdate(day, month, year), None)


def refused(args: Mapping[str, str]) -> tuple[dict[str, str], str] | None:
    """The fields a refused birthday was sent back with, and what is wrong; None when the
    account page was not opened so."""
    if not any(name in args for name in ENTERED.values()):
        return None
    fields = {field: args.get(name, "")[:4] for field, name in ENTERED.items()}
    return fields, read(fields)[1] or ""


def save_birthday():
    member = require_role("customer")
    if request.form.get("action") == "remove":
        if profile.save(member.id, None, member.email or "", utcnow()):
            flash(_("Your birthday was removed."), "success")
        session().commit()
        return redirect(ACCOUNT, 303)
    fields = {field: request.form.get(field, "") for field in ENTERED}
    value = read(fields)[0]
    if value is None:
        query = urlencode({name: fields[field][:4] for field, name in ENTERED.items()})
        return redirect(f"/account?{query}#birthday", 303)
    if profile.save(member.id, value, member.email or "", utcnow()):
        flash(_("Your birthday is saved: %(day)s.", day=words.birthdate(value)), "success")
    session().commit()
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

