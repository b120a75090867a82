"""Relationship figures (issue 15): repurchase rate, time to buy again (mean, median) and churn
against each customer's own rhythm, on a small history worked out by hand. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from loyalty_plugins.insights.kpis import churn, repurchase
from storefront.imports.orders import import_orders

DAY0 = datetime(2024, 1, 1, 12)
# customer: the days their orders were placed on. Gaps: a 10, 30; b 20; c none; d 5, 5, 90.
HISTORY = {"a": (0, 10, 40), "b": (0, 20), "c": (0,), "d": (0, 5, 10, 100)}


def day(n: int) -> datetime:
    return DAY0 + timedelta(days=n)


@pytest.fixture
def history(app, tmp_path):
    rows = ["order,email,date,total"] + [
        f"{name}{n},{name}@kpi.example,{day(d).isoformat()},10.00"
        for name, days in HISTORY.items() for n, d in enumerate(days)]
    path = tmp_path / "history.csv"
    path.write_text("\n".join(rows) + "\n")
    with app.app_context():
        assert import_orders(path).imported == 10
    return app


def test_repurchase_over_the_whole_history(history):
    with history.app_context():
        found = repurchase(day(-1), day(365))
    assert (found.customers, found.repeat_customers, found.rate) == (4, 3, 0.75)
    assert found.gaps == 6
    assert found.mean_days == pytest.approx(160 / 6)
    assert found.median_days == pytest.approx(15)  # 5, 5, 10 | 20, 30, 90


def test_repurchase_within_a_period_counts_the_gaps_that_end_in_it(history):
    with history.app_context():
        found = repurchase(day(15), day(200))
    # In the period: a on day 40, b on day 20, d on day 100: each once.
    assert (found.customers, found.repeat_customers, found.rate) == (3, 0, 0.0)
    assert found.gaps == 3 and found.median_days == pytest.approx(30)
    assert found.mean_days == pytest.approx((30 + 20 + 90) / 3)


def test_churn_is_silence_beyond_twice_a_customers_own_rhythm(history):
    with history.app_context():
        found = churn(day(130))
        # a: every 20 days, silent 90; b: every 20, silent 110; d: every 33, silent 30.
        assert (found.customers, found.churned) == (3, 2)
        assert churn(day(130), factor=5.0).churned == 1  # only b: 110 > 100
        empty = repurchase(day(500), day(600))
    assert (empty.customers, empty.rate, empty.median_days, empty.mean_days) == (
        0, 0.0, None, None)
