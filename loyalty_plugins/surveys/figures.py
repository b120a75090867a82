"""The owner's figures from the answers, filtered by period, kind, product and event: counted
and summed in the database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, case, func, select

from hooks import gettext as _
from hooks import session, shop_timezone, today
from loyalty_plugins.surveys.models import Answer, ServqualScore, Survey, SurveyProduct
from loyalty_plugins.surveys.settings import DIMENSIONS
from loyalty_plugins.surveys.stats import DETRACTOR_MAX, PROMOTER_MIN, Gap, Nps, gap

DEFAULT_DAYS = 365
KINDS = ("order", "event")
GROUPS = ("promoters", "passives", "detractors")


class FilterError(ValueError):
    pass


@dataclass(frozen=True)
class Filters:
    """Which answers: given in ``first``..``last`` (the shop's days, both included), about
    orders or events (``kind``; "" both), an order holding ``product`` (a SKU), the event
    ``event`` (its slug), and for comments the NPS ``group``."""

    first: date
    last: date
    kind: str = ""
    product: str = ""
    event: str = ""
    group: str = ""

    @property
    def start(self) -> datetime:
        return _utc(self.first)

    @property
    def end(self) -> datetime:
        return _utc(self.last + timedelta(days=1))

    def query(self) -> dict[str, str]:
        """The filters as the page's query string has them."""
        found = {"from": self.first.isoformat(), "to": self.last.isoformat(),
                 "kind": self.kind, "product": self.product, "event": self.event,
                 "group": self.group}
        return {name: value for name, value in found.items() if value}


def _utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=shop_timezone()).astimezone(UTC).replace(
        tzinfo=None)


def parse(args) -> Filters:
    """The filters of a request's arguments; FilterError says what is wrong."""
    last_default = today()
    first_default = last_default - timedelta(days=DEFAULT_DAYS - 1)
    try:
        first = date.fromisoformat(args.get("from") or first_default.isoformat())
        last = date.fromisoformat(args.get("to") or last_default.isoformat())
    except ValueError:
        raise FilterError(_("Give the days as year-month-day, for example 2026-01-31.")) from None
    if first > last:
        raise FilterError(_("The first day of the period must not be after its last day."))
    kind, group = args.get("kind", ""), args.get("group", "")
    if kind not in ("", *KINDS) or group not in ("", *GROUPS):
        raise FilterError(_("Choose a kind and a group from the lists."))
    return Filters(first, last, kind, args.get("product", "").strip()[:64],
                   args.get("event", "").strip()[:100], group)


def default_filters() -> Filters:
    last = today()
    return Filters(last - timedelta(days=DEFAULT_DAYS - 1), last)


def answers_where(query: Select, filters: Filters) -> Select:
    """``query`` (on Answer) limited to the filtered answers."""
    query = query.join(Survey, Survey.id == Answer.survey_id).where(
        Answer.created_at >= filters.start, Answer.created_at < filters.end)
    if filters.kind:
        query = query.where(Survey.kind == filters.kind)
    if filters.event:
        query = query.where(Survey.event_slug == filters.event)
    if filters.product:
        query = query.where(select(SurveyProduct.survey_id).where(
            SurveyProduct.survey_id == Survey.id, SurveyProduct.sku == filters.product)
            .exists())
    if filters.group == "promoters":
        query = query.where(Answer.nps >= PROMOTER_MIN)
    elif filters.group == "detractors":
        query = query.where(Answer.nps <= DETRACTOR_MAX)
    elif filters.group == "passives":
        query = query.where(Answer.nps > DETRACTOR_MAX, Answer.nps < PROMOTER_MIN)
    return query


def _count_when(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def nps(filters: Filters) -> Nps:
    row = session().execute(answers_where(select(
        _count_when(Answer.nps >= PROMOTER_MIN),
        _count_when((Answer.nps > DETRACTOR_MAX) & (Answer.nps < PROMOTER_MIN)),
        _count_when(Answer.nps <= DETRACTOR_MAX)), filters)).one()
    return Nps(int(row[0]), int(row[1]), int(row[2]))


def monthly(filters: Filters) -> list[tuple[date, Nps]]:
    """NPS per month of the shop's calendar, every month of the period (empty ones too). The
    answers' times and scores are read as two columns, a thousand rows at a time."""
    counts: dict[date, list[int]] = {}
    zone = shop_timezone()
    rows = session().execute(answers_where(select(Answer.created_at, Answer.nps), filters)
                             .execution_options(yield_per=1000))
    for created_at, score in rows:
        local = created_at.replace(tzinfo=UTC).astimezone(zone)
        slot = counts.setdefault(date(local.year, local.month, 1), [0, 0, 0])
        slot[0 if score >= PROMOTER_MIN else 2 if score <= DETRACTOR_MAX else 1] += 1
    return [(month, Nps(*counts.get(month, (0, 0, 0)))) for month in _months(filters)]


def _months(filters: Filters) -> Iterator[date]:
    month = filters.first.replace(day=1)
    while month <= filters.last:
        yield month
        month = (month + timedelta(days=32)).replace(day=1)


def gaps(filters: Filters) -> list[Gap]:
    """The SERVQUAL gap of each dimension, in the usual order."""
    difference = ServqualScore.perception - ServqualScore.expectation
    rows = session().execute(answers_where(
        select(ServqualScore.dimension, func.count(), func.sum(ServqualScore.expectation),
               func.sum(ServqualScore.perception), func.sum(difference * difference))
        .select_from(Answer).join(ServqualScore, ServqualScore.answer_id == Answer.id),
        filters).group_by(ServqualScore.dimension)).all()
    found = {row[0]: (int(row[1]), float(row[2]), float(row[3]), float(row[4]))
             for row in rows}
    return [gap(dimension, *found.get(dimension, (0, 0.0, 0.0, 0.0)))
            for dimension in DIMENSIONS]


def marks(filters: Filters) -> dict[str, tuple[float | None, int]]:
    """The mean of each 1-5 mark and how many answers gave it."""
    row = session().execute(answers_where(select(
        func.avg(Answer.delivery), func.count(Answer.delivery),
        func.avg(Answer.product), func.count(Answer.product),
        func.avg(Answer.service), func.count(Answer.service)), filters)).one()
    return {name: (None if row[2 * i] is None else float(row[2 * i]), int(row[2 * i + 1]))
            for i, name in enumerate(("delivery", "product", "service"))}


def comments(filters: Filters, page: int, size: int) -> list[tuple[Answer, Survey]]:
    """Answers with a comment, newest first."""
    rows = session().execute(answers_where(select(Answer, Survey), filters)
                             .where(Answer.reason != "")
                             .order_by(Answer.created_at.desc(), Answer.id.desc())
                             .offset((page - 1) * size).limit(size + 1))
    return [(answer, survey) for answer, survey in rows]


def choices() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The products and events that have surveys: (sku, title), (slug, title)."""
    products = session().execute(select(SurveyProduct.sku, func.max(SurveyProduct.title))
                                 .group_by(SurveyProduct.sku).order_by(SurveyProduct.sku)).all()
    events = session().execute(select(Survey.event_slug, func.max(Survey.event_title))
                               .where(Survey.kind == "event").group_by(Survey.event_slug)
                               .order_by(Survey.event_slug)).all()
    return [tuple(row) for row in products], [tuple(row) for row in events]


def export_batches(filters: Filters
                   ) -> Iterator[list[tuple[Answer, Survey, dict[str, ServqualScore]]]]:
    """Every filtered answer with its survey and SERVQUAL scores, oldest first, a thousand
    at a time (the scores of each thousand in one query)."""
    query = answers_where(select(Answer, Survey), filters).order_by(Answer.created_at,
                                                                     Answer.id)
    offset = 0
    while True:
        batch = [(answer, survey) for answer, survey
                 in session().execute(query.offset(offset).limit(1000))]
        if not batch:
            return
        scores: dict[int, dict[str, ServqualScore]] = {}
        for score in session().scalars(select(ServqualScore).where(
                ServqualScore.answer_id.in_([answer.id for answer, _survey in batch]))):
            scores.setdefault(score.answer_id, {})[score.dimension] = score
        yield [(answer, survey, scores.get(answer.id, {})) for answer, survey in batch]
        offset += len(batch)
