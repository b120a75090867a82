"""Answering a survey: the form read and checked, then recorded once. The survey row is the
lock: the conditional UPDATE that marks it answered succeeds for one submission only, so two
at once (two tabs, a double click, a replayed request) record one answer and give the points
once."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from hooks import call, emit, ngettext, provided, session
from hooks import gettext as _
from loyalty_plugins.surveys.models import Answer, ServqualScore, Survey
from loyalty_plugins.surveys.settings import DIMENSIONS, Settings

MAX_REASON = 2000
MARKS = ("delivery", "product", "service")  # the short service evaluation, 1-5 each
DETRACTOR_MAX = 6  # NPS: 0-6 detractors, 7-8 passives, 9-10 promoters
POINTS_KEY = "surveys:"


class Refused(Exception):
    """The survey cannot be answered now; ``str()`` says why, ``status`` is the HTTP one."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


@dataclass
class Form:
    """What the member sent, typed; ``problems`` maps a field to what is wrong with it."""

    nps: int | None = None
    reason: str = ""
    marks: dict[str, int | None] = field(default_factory=dict)
    servqual: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def clean_text(text: str) -> str:
    """Member text kept as plain text: HTML tags are removed (nh3 with no tag allowed, which
    drops a script's content too), and what nh3 escaped is unescaped again ("Tom & Jerry"
    stays as typed), since every page escapes the text when it shows it."""
    import nh3  # on the first answer, not at start-up

    cleaned = nh3.clean(text.replace("\r\n", "\n"), tags=set())
    return html.unescape(cleaned).strip()[:MAX_REASON]


def _score(raw: str | None, low: int, high: int) -> int | None:
    raw = (raw or "").strip()
    if not raw.isdigit() or not low <= int(raw) <= high:
        return None
    return int(raw)


def read(values, cfg: Settings) -> Form:
    """The form's fields (``nps``, ``reason``, ``delivery``/``product``/``service``, and
    ``<dimension>_expectation``/``_perception`` when SERVQUAL is asked), checked."""
    form = Form(nps=_score(values.get("nps"), 0, 10), reason=clean_text(values.get("reason",
                                                                                   "")))
    if form.nps is None:
        form.problems["nps"] = _("Choose a number from 0 to 10.")
    for mark in MARKS:
        given = values.get(mark, "")
        form.marks[mark] = _score(given, 1, 5)
        if given and form.marks[mark] is None:
            form.problems[mark] = _("Choose a mark from 1 to 5, or none.")
    if cfg.servqual:
        for dimension in DIMENSIONS:
            pair = tuple(_score(values.get(f"{dimension}_{side}"), 1, 7)
                         for side in ("expectation", "perception"))
            form.servqual[dimension] = pair
            if None in pair:
                form.problems[dimension] = _("Choose a number from 1 to 7 for both questions.")
    return form


def _rate_limited(user_id: int, cfg: Settings, now: datetime) -> None:
    recent = session().scalar(select(func.count()).select_from(Answer).where(
        Answer.user_id == user_id, Answer.created_at > now - timedelta(hours=1)))
    if recent >= cfg.rate_limit_count:
        raise Refused(ngettext("You have sent %(num)s answer in the last hour, the most we "
                               "allow. Please come back later.",
                               "You have sent %(num)s answers in the last hour, the most we "
                               "allow. Please come back later.", recent), 429)


def points_reason(survey: Survey) -> str:
    """The reason in the member's points history, stored in English as the ledger is; the
    points plugin recognises it by the key and shows it in the reader's language
    (loyalty_plugins/points/describe.py): keep the two in step."""
    if survey.kind == "event":
        return f"Answered the survey on {survey.event_title}"
    return f"Answered the survey on order {survey.order_number}"


def record(survey: Survey, form: Form, items: list[tuple[str, str, str]], cfg: Settings,
           now: datetime) -> Answer:
    """Record the answer, once; raises Refused when the survey was answered already, its link
    expired, or the member sent too many answers lately. Flushes; the caller commits."""
    _rate_limited(survey.user_id, cfg, now)
    taken = session().execute(
        update(Survey).where(Survey.id == survey.id, Survey.answered_at.is_(None),
                             Survey.expires_at.is_not(None), Survey.expires_at > now)
        .values(answered_at=now)).rowcount
    if not taken:
        session().rollback()
        raise Refused(_("This survey was answered already, or its link has expired. Thank "
                        "you all the same."), 409)
    answer = Answer(survey_id=survey.id, user_id=survey.user_id, nps=form.nps,
                    reason=form.reason, created_at=now, **form.marks)
    session().add(answer)
    session().flush()
    words = {dimension: (expectation, perception) for dimension, expectation, perception
             in items}
    for dimension, (expectation, perception) in form.servqual.items():
        session().add(ServqualScore(answer_id=answer.id, dimension=dimension,
                                    expectation=expectation, perception=perception,
                                    expectation_item=words[dimension][0],
                                    perception_item=words[dimension][1]))
    if cfg.points and provided("points_grant"):
        call("points_grant", user_id=survey.user_id, points=cfg.points,
             reason=points_reason(survey), key=f"{POINTS_KEY}{survey.id}", actor="surveys")
    if form.nps <= DETRACTOR_MAX:
        emit("surveys.detractor", aggregate_type="customer", aggregate_id=survey.user_id,
             payload={"answer_id": answer.id, "survey_id": survey.id,
                      "user_id": survey.user_id, "order_id": survey.order_id,
                      "event": survey.event_slug or None, "score": form.nps,
                      "comment": form.reason})
    session().flush()
    return answer


def usable(survey: Survey | None, now: datetime) -> str:
    """``open``, ``answered``, ``expired`` or ``unknown`` (no such survey, or not sent)."""
    if survey is None or survey.invited_at is None or survey.expires_at is None:
        return "unknown"
    if survey.answered_at is not None:
        return "answered"
    return "open" if survey.expires_at > now else "expired"
