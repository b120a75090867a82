"""The insights page: managers and the owner only (403 for staff and customers)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import timedelta

from babel.numbers import format_decimal, format_percent
from flask import Blueprint, abort, redirect, request, url_for

from hooks import current_customer, language, lazy_gettext, render_template, utcnow
from loyalty_plugins.insights.kpis import churn, repurchase
from loyalty_plugins.insights.rfm import DEFAULT_RULES, customer_rfm, pareto_share

SEGMENT_NAMES = {
    "champions": lazy_gettext("Champions"), "loyal": lazy_gettext("Loyal"),
    "new": lazy_gettext("New"), "potential": lazy_gettext("Potential"),
    "cannot lose": lazy_gettext("Cannot lose"), "at risk": lazy_gettext("At risk"),
    "hibernating": lazy_gettext("Hibernating"), "lost": lazy_gettext("Lost"),
    "other": lazy_gettext("Other"),
}
YEAR = timedelta(days=365)


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


def overview():
    _allowed()
    now = utcnow()
    customers = customer_rfm(now)
    counts, revenue = Counter(), defaultdict(int)
    for row in customers:
        counts[row.segment] += 1
        revenue[row.segment] += row.net
    segments = [(rule.segment, counts[rule.segment], revenue[rule.segment], rule)
                for rule in DEFAULT_RULES]
    return render_template(
        "insights/overview.html", segments=segments, names=SEGMENT_NAMES,
        total=len(customers), total_revenue=sum(revenue.values()),
        pareto=pareto_share([row.net for row in customers]) if customers else 0.0,
        year=repurchase(now - YEAR, now), lapsed=churn(now), now=now, percent=percent,
        days=days)


def blueprint() -> Blueprint:
    bp = Blueprint("insights", __name__, url_prefix="/plugins/insights")
    bp.add_url_rule("/", "overview", overview)
    return bp
