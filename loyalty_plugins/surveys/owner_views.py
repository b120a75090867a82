"""The owner's pages: NPS over time, the SERVQUAL gap, the comments, and the answers as CSV.
Managers and the owner only: 403 for staff and customers, a guest to the login."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

from babel.dates import format_skeleton
from babel.numbers import format_decimal, format_percent
from flask import Blueprint, Response, abort, redirect, request, stream_with_context, url_for

from hooks import current_customer, get_customers, language, render_template, spreadsheet_safe
from hooks import gettext as _
from loyalty_plugins.surveys import charts, figures
from loyalty_plugins.surveys.figures import FilterError, Filters
from loyalty_plugins.surveys.settings import DIMENSION_NAMES, DIMENSIONS
from loyalty_plugins.surveys.stats import Gap, Nps, group_of

PAGE_SIZE = 50


def allowed() -> None:
    viewer = current_customer()
    if viewer.id is None:
        abort(redirect(url_for("accounts.login", next=request.path)))
    if not viewer.has_role("manager"):
        abort(403)


def one_decimal(value: float | None) -> str:
    return "–" if value is None else format_decimal(round(value, 1), "0.0",
                                                     locale=language())


def two_decimals(value: float | None) -> str:
    return "–" if value is None else format_decimal(value, "0.00", locale=language())


def percent(share: float) -> str:
    return format_percent(share, locale=language())


def month_name(month: date) -> str:
    return format_skeleton("yMMM", month, locale=language())


def _filters() -> tuple[Filters, str]:
    try:
        return figures.parse(request.args), ""
    except FilterError as error:
        return figures.default_filters(), str(error)


def _nps_charts(months: list[tuple[date, Nps]]):
    labels = [month_name(month) for month, _ in months]
    whole = lambda value: format_decimal(int(value), locale=language())  # noqa: E731
    answered = [(month, found) for month, found in months if found.answers]
    best = max(answered, key=lambda pair: pair[1].score) if answered else None
    counts = charts.render(
        "stacked", _("Answers per month: promoters, passives and detractors"),
        _("%(first)s to %(last)s. Every month is in the table below.", first=labels[0],
          last=labels[-1]), labels,
        [(_("Promoters"), [found.promoters for _, found in months]),
         (_("Passives"), [found.passives for _, found in months]),
         (_("Detractors"), [found.detractors for _, found in months])], whole)
    score = charts.render(
        "line", _("NPS per month"),
        _("The highest NPS, %(score)s, in %(month)s. Every month is in the table below.",
          score=one_decimal(best[1].score), month=month_name(best[0])) if best
        else _("No answers in the period."), labels,
        [(_("NPS"), [found.score for _, found in months])], one_decimal, range=(-100, 100))
    return counts, score


def _gap_chart(gaps: list[Gap]):
    shown = [found for found in gaps if found.answers]
    if not shown:
        return None
    worst = min(shown, key=lambda found: found.gap)
    return charts.render(
        "bar", _("SERVQUAL gap per dimension (perception minus expectation)"),
        _("The widest shortfall is %(dimension)s, %(gap)s. Every dimension is in the table "
          "below.", dimension=str(DIMENSION_NAMES[worst.dimension]),
          gap=two_decimals(worst.gap)),
        [str(DIMENSION_NAMES[found.dimension]) for found in gaps],
        [(_("Gap"), [found.gap if found.answers else None for found in gaps])],
        two_decimals, range=(-6, 6))


def overview():
    allowed()
    chosen, problem = _filters()
    months = figures.monthly(chosen)
    gaps = figures.gaps(chosen)
    products, events = figures.choices()
    counts_chart, score_chart = _nps_charts(months)
    page = render_template(
        "surveys/overview.html", filters=chosen, problem=problem, nps=figures.nps(chosen),
        months=months, counts_chart=counts_chart, score_chart=score_chart, gaps=gaps,
        gap_chart=_gap_chart(gaps), marks=figures.marks(chosen), products=products,
        events=events, names=DIMENSION_NAMES, one_decimal=one_decimal,
        two_decimals=two_decimals, percent=percent, month_name=month_name)
    return page, 400 if problem else 200


def comments():
    allowed()
    chosen, problem = _filters()
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and int(raw) > 0 else 1
    rows = figures.comments(chosen, page, PAGE_SIZE)
    people = get_customers(answer.user_id for answer, _ in rows)
    products, events = figures.choices()
    html = render_template(
        "surveys/comments.html", filters=chosen, problem=problem, rows=rows[:PAGE_SIZE],
        people=people, page=page, has_next=len(rows) > PAGE_SIZE, products=products,
        events=events, group_of=group_of)
    return html, 400 if problem else 200


CSV_COLUMNS = ("answered_at", "kind", "order", "event", "member", "nps", "group", "delivery",
               "product", "service", "comment",
               *(f"{dimension}_{side}" for dimension in DIMENSIONS
                 for side in ("expectation", "perception")))


def export():
    """The filtered answers as CSV, written while they are read."""
    allowed()
    chosen, problem = _filters()
    if problem:
        abort(400)

    def lines() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for batch in figures.export_batches(chosen):
            people = get_customers(answer.user_id for answer, _, _ in batch)
            for answer, survey, scores in batch:
                writer.writerow(_csv_cells(answer, survey, scores, people))
            yield out.getvalue()
            out.seek(0)
            out.truncate()
        yield out.getvalue()

    return Response(stream_with_context(lines()), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="survey-answers.csv"'})


def _csv_cells(answer, survey, scores, people) -> list:
    member = people.get(answer.user_id)
    cells = [answer.created_at.isoformat(" ", "seconds"), survey.kind, survey.order_number,
             survey.event_title, member.email if member else "", answer.nps,
             group_of(answer.nps), answer.delivery or "", answer.product or "",
             answer.service or "", answer.reason]
    for dimension in DIMENSIONS:
        score = scores.get(dimension)
        cells += [score.expectation, score.perception] if score else ["", ""]
    return [spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in cells]


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/", "overview", overview)
    bp.add_url_rule("/comments", "comments", comments)
    bp.add_url_rule("/answers.csv", "export", export)
