"""The insights page: managers and the owner only (403 for staff and customers)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    request,
    stream_with_context,
    url_for,
)
from sqlalchemy import func, select

from hooks import (
    current_customer,
    ngettext,
    render_template,
    session,
    spreadsheet_safe,
)
from hooks import gettext as _
from loyalty_plugins.insights import chart_views, messages, offers
from loyalty_plugins.insights.behaviour import BAND_NAMES, KINDS
from loyalty_plugins.insights.kpis import Churn, Repurchase, repurchase
from loyalty_plugins.insights.messages import Draft
from loyalty_plugins.insights.models import CustomerFigures, SegmentMessage, Summary
from loyalty_plugins.insights.pages import allowed, decimal, percent
from loyalty_plugins.insights.period import Period, members_and_others, requested_period
from loyalty_plugins.insights.profitability import profitability
from loyalty_plugins.insights.programme import programme
from loyalty_plugins.insights.settings import SEGMENT_NAMES, loyal_min_orders, rules
from loyalty_plugins.insights.snapshot import pareto_share, summary


def _segments() -> dict[str, tuple[int, int, float | None, int | None]]:
    """Per segment of the kept figures: customers, net revenue, mean probability of being
    active and the value expected in the next year."""
    figures = CustomerFigures
    rows = session().execute(select(
        figures.segment, func.count(), func.sum(figures.net),
        func.avg(figures.probability_active), func.sum(figures.expected_value))
        .group_by(figures.segment)).all()
    return {row[0]: (int(row[1]), int(row[2] or 0), row[3], row[4]) for row in rows}


def _bands(column: str) -> list[tuple[str, int, int]]:
    """(band, customers, net revenue) of one trait, in the bands' order."""
    field = getattr(CustomerFigures, column)
    found = {row[0]: (int(row[1]), int(row[2] or 0)) for row in session().execute(
        select(field, func.count(), func.sum(CustomerFigures.net)).group_by(field))}
    return [(code, *found.get(code, (0, 0))) for code in KINDS[column]]


def _buying_again(kept: Summary | None, period: Period, chosen: bool
                  ) -> tuple[Repurchase | None, int]:
    """Buying again in the period: the last refresh's (its last 365 days) unless the owner
    chose a period, which is computed now."""
    if not chosen:
        if kept is None:
            return None, loyal_min_orders()
        return (Repurchase(kept.customers, kept.repeat_customers, kept.loyal_customers,
                           kept.gaps, kept.mean_days, kept.median_days), kept.loyal_min_orders)
    least = loyal_min_orders()
    return repurchase(period.start, period.end, least), least


def overview():
    allowed()
    period, chosen, problem = requested_period()
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
    again, least = _buying_again(kept, period, chosen)
    members, others = members_and_others(period)
    page = render_template(
        "insights/overview.html", segments=segments, names=SEGMENT_NAMES, total=customers,
        total_revenue=revenue, pareto=pareto_share(customers, revenue),
        computed=kept.computed_at if kept else None, period=period, chosen=chosen,
        problem=problem, again=again, loyal_min_orders=least,
        lapsed=Churn(kept.churn_customers, kept.churned) if kept else None,
        bands=[(column, _bands(column)) for column in KINDS], band_names=BAND_NAMES,
        members=members, others=others, programme=programme(period),
        percent=percent, decimal=decimal)
    return page, 400 if problem else 200


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


def segment(slug: str, draft: Draft | None = None, problems: dict | None = None,
            preview: str = ""):
    """The customers of one segment, best spenders first, 50 a page, and the form to write to
    its members."""
    allowed()
    code = _segment_code(slug)
    raw = request.args.get("page", "1")
    page = int(raw) if raw.isdigit() and int(raw) > 0 else 1
    rows = session().scalars(_members_of(code).offset((page - 1) * PAGE_SIZE)
                             .limit(PAGE_SIZE + 1)).all()
    count = session().scalar(select(func.count()).where(CustomerFigures.segment == code))
    page_html = render_template(
        "insights/segment.html", code=code, slug=slug, name=SEGMENT_NAMES[code],
        rows=rows[:PAGE_SIZE], count=count, page=page, has_next=len(rows) > PAGE_SIZE,
        percent=percent, draft=draft or Draft("", "", messages.new_token()),
        problems=problems or {}, preview=preview, members=messages.member_count(code),
        sent=[(message, offers.results(message) if message.offer else None)
              for message in messages.sent_to(code)],
        offer_kinds=offers.available_kinds())
    return page_html, 400 if problems else 200


def write_to_segment(slug: str):
    """Preview, or send, a message to the segment's members."""
    allowed()
    code = _segment_code(slug)
    offer, offer_problems = offers.parse(request.form)
    draft = Draft(request.form.get("subject", "").strip(), request.form.get("body", "").strip(),
                  request.form.get("token", "") or messages.new_token(), offer)
    problems = {**draft.problems(), **offer_problems}
    if problems or request.form.get("action") != "send":
        preview = "" if problems else render_template(
            f"notifications/{messages.TEMPLATE}", user=current_customer(), body=draft.body,
            offer=offers.sample(offer),
            offer_path="/plugins/insights/offers/…")
        return segment(slug, draft, problems, preview)
    sent = messages.send(code, draft, current_customer().email or "")
    if sent is None:
        flash(_("This message was sent already; it was not sent again."), "info")
    else:
        flash(ngettext("The message is on its way to %(num)s member.",
                       "The message is on its way to %(num)s members.", sent), "success")
    return redirect(url_for("insights.segment", slug=slug))


def offer_page(message_id: int):
    """The member's own offer from a segment message; the first visit counts as an open."""
    viewer = current_customer()
    if not viewer.is_member:
        return redirect(url_for("accounts.login", next=request.path))
    message = session().get(SegmentMessage, message_id)
    found = offers.describe(message, viewer.id) if message is not None else None
    if found is None:
        abort(404)
    offers.opened(message_id, viewer.id)
    session().commit()
    return render_template("insights/offer.html", offer=found)


def _minor(value: int | None) -> str:
    return "" if value is None else f"{value / 100:.2f}"


def segment_csv(slug: str):
    """The whole segment as CSV, written while it is read (any size, little memory)."""
    allowed()
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
    bp.add_url_rule("/segments/<slug>/message", "write_to_segment", write_to_segment,
                    methods=["POST"])
    bp.add_url_rule("/offers/<int:message_id>", "offer", offer_page)
    chart_views.register(bp)
    bp.add_url_rule("/profitability", "profitability", profitability)
    return bp
