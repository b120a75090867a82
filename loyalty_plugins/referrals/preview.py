"""The owner's preview: both messages as a member would get them now, in every language."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask import render_template as render_text
from flask_babel import force_locale

from hooks import gettext as _
from hooks import provided, utcnow
from loyalty_plugins.referrals import messages, settings


@dataclass(frozen=True)
class Preview:
    language: str
    subject: str
    body: str


def previews(name: str) -> list[Preview]:
    """The friend's welcome and the referrer's thanks for a member called ``name``, from the
    saved settings; nothing is written or sent."""
    cfg = settings.current()
    rewarded = cfg if provided("rewards_grant") else None
    points = cfg.points if provided("points_grant") else 0
    member = {"name": name, "email": ""}
    found = []
    for code in current_app.config["LANGUAGES"]:
        with force_locale(code):
            friend = _("Alex")
            until = utcnow() + timedelta(days=cfg.reward_days)
            found.append(Preview(code, str(messages.welcome_subject(friend)), render_text(
                f"notifications/{messages.WELCOME}", user=member,
                **messages.welcome_context(friend, rewarded, until))))
            found.append(Preview(code, str(messages.thanks_subject(friend)), render_text(
                f"notifications/{messages.THANKS}", user=member, friend=friend,
                points=points)))
    return found
