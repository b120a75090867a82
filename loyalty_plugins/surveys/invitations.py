"""Who is asked, and when: a survey row for each paid order of a member and each event a
member attended (made by the worker's reactions, once per order or attendance however often
the event is delivered), and the job that sends the invitations that are due."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select, update

from hooks import (
    OrderView,
    get_order,
    insert_once,
    lazy_gettext,
    notify,
    provided,
    session,
    shop_timezone,
)
from loyalty_plugins.surveys import links
from loyalty_plugins.surveys.models import Survey, SurveyProduct
from loyalty_plugins.surveys.settings import Settings

TEMPLATE = "surveys_invitation.txt"
KIND = "survey"
BATCH = 200


def order_paid(order_id: int, cfg: Settings, now: datetime) -> bool:
    """Plan the survey of a member's paid order; False for a guest's order or when it is
    planned already."""
    order = get_order(order_id)
    if order is None or order.user_id is None:
        return False  # a guest has no account to answer from, nor points to get
    return plan_order(order, now, due_at=now + timedelta(days=cfg.order_delay_days)) is not None


def plan_order(order: OrderView, now: datetime, **times: datetime) -> int | None:
    """Add the survey of a member's order, with its products; its id, or None when the order
    has one already. ``times``: ``due_at`` and the others the row should start with."""
    subject = f"order:{order.id}"
    if not insert_once(Survey, ["subject"], subject=subject, kind="order",
                       user_id=order.user_id, order_id=order.id, order_number=order.number,
                       event_slug="", event_title="", created_at=now, **times):
        return None
    survey_id = session().scalar(select(Survey.id).where(Survey.subject == subject))
    for sku, title in {line.sku: line.title for line in order.lines}.items():
        session().add(SurveyProduct(survey_id=survey_id, sku=sku, title=title[:200]))
    session().flush()
    return survey_id


def attended(payload: dict, cfg: Settings, now: datetime) -> bool:
    """Plan the survey of an event the member was checked in at (``events.attended``)."""
    return insert_once(Survey, ["subject"], subject=f"event:{int(payload['registration_id'])}",
                       kind="event", user_id=int(payload["user_id"]), order_id=None,
                       order_number="", event_slug=str(payload["event"])[:100],
                       event_title=str(payload.get("title") or payload["event"])[:200],
                       created_at=now, due_at=now + timedelta(days=cfg.event_delay_days))


def subject_line(survey: Survey):
    if survey.kind == "event":
        return lazy_gettext("How was %(event)s?", event=survey.event_title)
    return lazy_gettext("How was your order %(order)s?", order=survey.order_number)


def send_due(cfg: Settings, now: datetime) -> int:
    """Invite the members whose surveys are due, each once: the conditional UPDATE claims a
    survey, so two runs at once (or a run repeated) send one message. The caller commits."""
    sent = 0
    points = cfg.points if provided("points_grant") else 0
    for survey in _due(now):
        claimed = session().execute(
            update(Survey).where(Survey.id == survey.id, Survey.invited_at.is_(None))
            .values(invited_at=now, expires_at=now + timedelta(days=cfg.link_days))).rowcount
        if not claimed:
            continue
        notify(TEMPLATE, subject_line(survey), user_id=survey.user_id, kind=KIND,
               kind_of=survey.kind, order_number=survey.order_number,
               event_title=survey.event_title, link=links.address(survey.id),
               until=local_day(now + timedelta(days=cfg.link_days)), points=points)
        sent += 1
    return sent


def _due(now: datetime) -> Iterator[Survey]:
    """The surveys due and not yet sent, a batch at a time (each batch is claimed before the
    next is read, so it is not read again)."""
    while True:
        batch = session().scalars(select(Survey).where(Survey.invited_at.is_(None),
                                                       Survey.due_at <= now)
                                  .order_by(Survey.due_at, Survey.id).limit(BATCH)).all()
        yield from batch
        if len(batch) < BATCH:
            return


def local_day(moment: datetime) -> date:
    """The shop's date of a naive UTC time."""
    return moment.replace(tzinfo=UTC).astimezone(shop_timezone()).date()
