"""The profitability page: per segment, the period's margin net of the programme's cost."""

from __future__ import annotations

from functools import reduce

from hooks import render_template
from loyalty_plugins.insights.pages import allowed, percent
from loyalty_plugins.insights.period import requested_period
from loyalty_plugins.insights.profit import Margin, margins
from loyalty_plugins.insights.settings import SEGMENT_NAMES, rules
from loyalty_plugins.insights.snapshot import summary


def profitability():
    allowed()
    period, _chosen, problem = requested_period()
    kept = summary()
    found = margins(period) if kept else {}
    codes = list(dict.fromkeys(rule.segment for rule in rules()))  # in the rules' order
    codes += [code for code in found if code not in codes]  # "other", and retired names
    rows = [(code, found.get(code, Margin())) for code in codes]
    total = reduce(Margin.__add__, (margin for _code, margin in rows), Margin())
    page = render_template(
        "insights/profitability.html", rows=rows, total=total, names=SEGMENT_NAMES,
        period=period, problem=problem, computed=kept.computed_at if kept else None,
        percent=percent)
    return page, 400 if problem else 200
