"""The owner's preview: the statement a member (or the owner, as a sample) would get for
last month, in every language of the shop."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, request
from flask import render_template as render_text
from flask_babel import force_locale

from hooks import add_months, get_customer, render_template, require_role, today
from loyalty_plugins.statements import service, settings


@dataclass(frozen=True)
class Preview:
    language: str
    subject: str
    body: str


def previews(statement: service.Statement, name: str,
             cfg: settings.Settings) -> list[Preview]:
    """The message to a member called ``name`` in each of the shop's languages, with the
    settings ``cfg``; nothing is written or sent."""
    member = {"name": name, "email": ""}
    found = []
    for code in current_app.config["LANGUAGES"]:
        with force_locale(code):
            body = render_text(f"notifications/{service.TEMPLATE}", user=member,
                               **service.message_context(statement, cfg))
            found.append(Preview(code, str(service.subject(cfg, statement.month)), body))
    return found


def preview():
    owner = require_role("owner")
    asked = request.args.get("member", "")
    chosen = get_customer(int(asked)) if asked.isdigit() else None
    member = chosen or owner
    month, cfg = add_months(today().replace(day=1), -1), settings.current()
    statement = service.gather(member.id, month, cfg)
    return render_template("statements/preview.html", member=member, sample=chosen is None,
                           asked=asked, month_name=service.MonthName(month),
                           empty=statement.empty, cfg=cfg,
                           previews=previews(statement, member.name or member.email or "",
                                             cfg))


def blueprint() -> Blueprint:
    bp = Blueprint("statements", __name__, url_prefix="/plugins/statements")
    bp.add_url_rule("/preview", "preview", preview)
    return bp
