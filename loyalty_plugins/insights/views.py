"""The insights page: managers and the owner only (403 for staff and customers)."""

from __future__ import annotations

from babel.numbers import format_decimal, format_percent
from flask import Blueprint, abort, redirect, request, url_for
from sqlalchemy import func, select

from hooks import current_customer, language, lazy_gettext, render_template, session
from loyalty_plugins.insights.kpis import Churn, Repurchase
from loyalty_plugins.insights.models import CustomerFigures
from loyalty_plugins.insights.rfm import DEFAULT_RULES
from loyalty_plugins.insights.snapshot import pareto_share, summary

SEGMENT_NAMES = {
    "champions": lazy_gettext("Champions"), "loyal": lazy_gettext("Loyal"),
    "new": lazy_gettext("New"), "potential": lazy_gettext("Potential"),
    "cannot lose": lazy_gettext("Cannot lose"), "at risk": lazy_gettext("At risk"),
    "hibernating": lazy_gettext("Hibernating"), "lost": lazy_gettext("Lost"),
    "other": lazy_gettext("Other"),
}


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
    segments = [(rule.segment, *found.get(rule.segment, (0, 0, None, None)), rule)
                for rule in DEFAULT_RULES]
    return render_template(
        "insights/overview.html", segments=segments, names=SEGMENT_NAMES, total=customers,
        total_revenue=revenue, pareto=pareto_share(customers, revenue),
        computed=kept.computed_at if kept else None,
        year=Repurchase(kept.customers, kept.repeat_customers, kept.gaps, kept.mean_days,
                        kept.median_days) if kept else None,
        lapsed=Churn(kept.churn_customers, kept.churned) if kept else None,
        percent=percent, days=days)


def blueprint() -> Blueprint:
    bp = Blueprint("insights", __name__, url_prefix="/plugins/insights")
    bp.add_url_rule("/", "overview", overview)
    return bp
