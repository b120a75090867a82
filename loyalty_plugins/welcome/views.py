"""The owner's preview: the welcome message a member would get now, in every language."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app
from flask import render_template as render_text
from flask_babel import force_locale

from hooks import render_template, require_role, utcnow
from loyalty_plugins.welcome import service, settings


@dataclass(frozen=True)
class Preview:
    language: str
    subject: str
    body: str


def previews(name: str) -> list[Preview]:
    """The message to a member called ``name`` in each of the shop's languages, from the
    saved settings; nothing is written or sent."""
    cfg = settings.current()
    record = service.planned(0, cfg.gift, utcnow())
    member = {"name": name, "email": ""}
    found = []
    for code in current_app.config["LANGUAGES"]:
        with force_locale(code):
            body = render_text(f"notifications/{service.TEMPLATE}", user=member,
                               **service.message_context(record, cfg.text))
            found.append(Preview(code, cfg.subject or str(service.DEFAULT_SUBJECT), body))
    return found


def preview():
    owner = require_role("owner")
    cfg = settings.current()
    return render_template("welcome/preview.html", previews=previews(owner.name or "Ana"),
                           gift_off=service.planned(0, cfg.gift, utcnow()).note,
                           service_points_off=service.POINTS_OFF)


def blueprint() -> Blueprint:
    bp = Blueprint("welcome", __name__, url_prefix="/plugins/welcome")
    bp.add_url_rule("/preview", "preview", preview)
    return bp
