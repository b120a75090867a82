"""The insights page: managers and the owner only (403 for staff and customers)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from babel.numbers import format_decimal, format_percent
from flask import Blueprint, Response, abort, redirect, request, stream_with_context, url_for
from sqlalchemy import func, select

from hooks import (
    current_customer,
    language,
    render_template,
    session,
    spreadsheet_safe,
)
from loyalty_plugins.insights.kpis import Churn, Repurchase
from loyalty_plugins.insights.models import CustomerFigures
from loyalty_plugins.insights.settings import SEGMENT_NAMES, rules
from loyalty_plugins.insights.snapshot import pareto_share, summary


def percent(share: float) -> str:
    """A share (0-1) as the reader's language writes a percentage: "42%", "42 %"."""
    return format_percent(share, locale=language())


def days(value: float | None) -> str:
    return format_decimal(round(value or 0, 1), locale=language())


def _allowed() -> None:
    viewer = current_customer()
    if viewer.id is None:
        abort(redirect(url_for("accounts.login", next=request.path)))
    if not viewer.has_role("manager"):
        abort(403)


def _segments() -> dict[str, tuple[int, int, float | None, int | None]]:
    """Per segment of the kept figures: customers, net revenue, mean probability of being
    active and the value expected in the next year."""
    figures = CustomerFigures
    rows = session().execute(select(
        figures.segment, func.count(), func.sum(figures.net),
        func.avg(figures.probability_active), func.sum(figures.expected_value))
        .group_by(figures.segment)).all()
    return {row[0]: (int(row[1]), int(row[2] or 0), row[3], row[4]) for row in rows}


def overview():
    _allowed()
    kept = summary()
    found = _segments()
    customers = sum(row[0] for row in found.values())
    revenue = sum(row[1] for row in found.values())
    current = rules()
    codes = list(dict.fromkeys(rule.segment for rule in current))  # in the rules' order
    if "other" in found:  # customers the owner's rules leave out
        codes.append("other")
    segments = [(code, *found.get(code, (0, 0, None, None)),
                 [rule for rule in current if rule.segment == code]) for code in codes]
    return render_template(
        "insights/overview.html", segments=segments, names=SEGMENT_NAMES, total=customers,
        total_revenue=revenue, pareto=pareto_share(customers, revenue),
        computed=kept.computed_at if kept else None,
        year=Repurchase(kept.customers, kept.repeat_customers, kept.loyal_customers, kept.gaps,
                        kept.mean_days, kept.median_days) if kept else None,
        loyal_min_orders=kept.loyal_min_orders if kept else None,
        lapsed=Churn(kept.churn_customers, kept.churned) if kept else None,
        percent=percent, days=days)


PAGE_SIZE = 50
CSV_COLUMNS = ("customer", "orders", "net", "days_since_last_order", "recency", "frequency",
               "monetary", "probability_active", "expected_orders_next_year",
               "expected_value_next_year")


def _segment_code(slug: str) -> str:
    code = slug.replace("-", " ")
    if code not in SEGMENT_NAMES:
        abort(404)
    return code


def _members_of(code: str):
    return (select(CustomerFigures).where(CustomerFigures.segment == code)
            .order_by(CustomerFigures.net.desc(), CustomerFigures.customer))


def segment(slug: str):
    """The customers of one segment, best spenders first, 50 a page."""
    _allowed()
    code = _segment_code(slug)
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and int(raw) > 0 else 1
    rows = session().scalars(_members_of(code).offset((page - 1) * PAGE_SIZE)
                             .limit(PAGE_SIZE + 1)).all()
    count = session().scalar(select(func.count()).where(CustomerFigures.segment == code))
    return render_template("insights/segment.html", code=code, slug=slug, name=SEGMENT_NAMES[code],
                           rows=rows[:PAGE_SIZE], count=count, page=page,
                           has_next=len(rows) > PAGE_SIZE, percent=percent)


def _minor(value: int | None) -> str:
    return "" if value is None else f"{value / 100:.2f}"


def segment_csv(slug: str):
    """The whole segment as CSV, written while it is read (any size, little memory)."""
    _allowed()
    code = _segment_code(slug)

    def lines() -> Iterator[str]:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for row in session().scalars(_members_of(code).execution_options(yield_per=1000)):
            writer.writerow([spreadsheet_safe(row.customer), row.orders, _minor(row.net),
                             row.days_since, row.recency, row.frequency, row.monetary,
                             "" if row.probability_active is None
                             else f"{row.probability_active:.4f}",
                             "" if row.expected_orders is None else f"{row.expected_orders:.3f}",
                             _minor(row.expected_value)])
            if out.tell() > 64_000:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
        yield out.getvalue()

    return Response(stream_with_context(lines()), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="segment-{slug}.csv"'})


def blueprint() -> Blueprint:
    bp = Blueprint("insights", __name__, url_prefix="/plugins/insights")
    bp.add_url_rule("/", "overview", overview)
    bp.add_url_rule("/segments/<slug>", "segment", segment)
    bp.add_url_rule("/segments/<slug>.csv", "segment_csv", segment_csv)
    from loyalty_plugins.insights import chart_views  # imports this module: here, not above

    chart_views.register(bp)
    return bp
