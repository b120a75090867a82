"""The Pareto curve and KPI trends pages: managers and the owner only, like the overview.
Each chart is drawn on the server (charts.py) and its figures are in a table beside it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from babel.dates import format_skeleton
from flask import Blueprint, request
from markupsafe import Markup

from hooks import gettext as _
from hooks import language, money, number, render_template, shop_timezone, today
from loyalty_plugins.insights.charts import Chart, Series, render, whole_ticks
from loyalty_plugins.insights.pages import allowed, percent
from loyalty_plugins.insights.pareto import Curve, curve
from loyalty_plugins.insights.trends import MonthFigures, RangeError, month_range, monthly


def month_name(month: date) -> str:
    """"Mar 2024", "mar 2024": a month as the reader's language writes it, short."""
    return format_skeleton("yMMM", month, locale=language())


def _pareto_chart(found: Curve) -> Chart:
    top = found.top
    share, revenue = found.customer_share(top), found.revenue_share(top)
    points = [(0.0, 0.0)] + [(found.customer_share(p), found.revenue_share(p))
                             for p in found.points]
    return Chart(
        "xy", _("Share of revenue against share of customers"),
        _("The best %(customers)s of customers bring %(revenue)s of the net revenue; "
          "every point is in the table below.", customers=percent(share),
          revenue=percent(revenue)),
        (Series(_("Share of revenue"), points),
         Series(_("Best %(customers)s", customers=percent(share)),
                [(share, 0.0), (share, revenue), (0.0, revenue)]),
         Series(_("Equal shares"), [(0.0, 0.0), (1.0, 1.0)])),
        formatter=percent, x_formatter=percent,
        options={"range": (0, 1), "xrange": (0, 1), "x_title": _("Share of customers"),
                 "y_title": _("Share of net revenue")})


def pareto():
    """The Pareto curve of the kept figures, with its table of points."""
    allowed()
    found = curve()
    return render_template("insights/pareto.html", curve=found, percent=percent,
                           chart=render(_pareto_chart(found)) if found.points else None)


def _trend(kind: str, title: str, months: Sequence[MonthFigures], labels: Sequence[str],
           series: Sequence[tuple[str, Callable[[MonthFigures], float]]],
           formatter: Callable[[float], str], **options) -> Chart:
    """A chart of some monthly figures, described by the month with the most of the first."""
    first = series[0][1]
    highest = max(months, key=first)
    return Chart(kind, title, _(
        "%(first)s to %(last)s; the highest, %(value)s, in %(month)s. Every month is in the "
        "table below.", first=labels[0], last=labels[-1], value=formatter(first(highest)),
        month=month_name(highest.month)),
        tuple(Series(name, [value(m) for m in months]) for name, value in series),
        labels=labels, formatter=formatter, options=options)


def _trend_charts(months: Sequence[MonthFigures]) -> list[tuple[str, str, Markup]]:
    labels = [month_name(m.month) for m in months]
    whole = lambda value: number(int(value))  # noqa: E731 (pygal passes floats)
    buyers = whole_ticks(max(m.customers for m in months))
    charts = [
        ("customers", _trend("stacked", _("Customers who bought: new and returning"), months,
                             labels, ((_("New"), lambda m: m.new),
                                      (_("Returning"), lambda m: m.returning)), whole,
                             y_labels=buyers)),
        ("orders", _trend("line", _("Orders"), months, labels,
                          ((_("Orders"), lambda m: m.orders),), whole,
                          y_labels=whole_ticks(max(m.orders for m in months)))),
        ("revenue", _trend("bar", _("Net revenue"), months, labels,
                           ((_("Net revenue"), lambda m: m.revenue),),
                           lambda value: money(int(value)))),
        ("repurchase", _trend("line", _("Repurchase share"), months, labels,
                              ((_("Repurchase share"), lambda m: m.repurchase_share),),
                              percent, range=(0, 1))),
    ]
    return [(name, chart.title, render(chart)) for name, chart in charts]


def trends():
    """Monthly figures over the months the owner picks (the last 24 by default)."""
    allowed()
    asked = {name: request.args.get(name, "").strip() for name in ("from", "to")}
    try:
        start, end = month_range(asked["from"] or None, asked["to"] or None, today())
    except RangeError as error:
        return render_template("insights/trends.html", error=str(error), asked=asked,
                               months=(), charts=()), 400
    months = monthly(start, end)
    return render_template(
        "insights/trends.html", error=None, months=months, charts=_trend_charts(months),
        asked={"from": start.strftime("%Y-%m"), "to": end.strftime("%Y-%m")},
        month_name=month_name, percent=percent, shop_zone=str(shop_timezone()))


def register(bp: Blueprint) -> None:
    bp.add_url_rule("/pareto", "pareto", pareto)
    bp.add_url_rule("/trends", "trends", trends)
