"""The member's survey page, opened from the invitation's link without logging in."""

from __future__ import annotations

from flask import Blueprint, abort, request

from hooks import provided, render_template, session, utcnow
from loyalty_plugins.surveys import answers, links, owner_views, settings
from loyalty_plugins.surveys.models import Survey

# What a problem answers: a link that is not ours 404, one used or expired its own status.
STATUS = {"answered": 409, "expired": 410}


def _survey(signed: str) -> Survey:
    found = links.survey_id(signed)
    survey = session().get(Survey, found) if found is not None else None
    if survey is None or survey.invited_at is None:
        abort(404)
    return survey


def answer(signed: str):
    survey = _survey(signed)
    cfg = settings.current()
    items = settings.items(cfg) if cfg.servqual else []
    state = answers.usable(survey, utcnow())
    if state != "open":
        return render_template("surveys/closed.html", state=state), STATUS[state]
    form = answers.Form()
    if request.method == "POST":
        form = answers.read(request.form, cfg)
        if not form.problems:
            try:
                answers.record(survey, form, items, cfg, utcnow())
            except answers.Refused as refused:
                return render_template("surveys/closed.html", state="refused",
                                       message=str(refused)), refused.status
            session().commit()
            return render_template("surveys/thanks.html", points=cfg.points
                                   if provided("points_grant") else 0)
    return render_template("surveys/survey.html", survey=survey, form=form, items=items,
                           signed=signed, marks=answers.MARKS,
                           names=settings.DIMENSION_NAMES), 400 if form.problems else 200


def blueprint() -> Blueprint:
    bp = Blueprint("surveys", __name__, url_prefix="/plugins/surveys")
    bp.add_url_rule("/s/<signed>", "answer", answer, methods=["GET", "POST"])
    owner_views.register(bp)
    return bp
