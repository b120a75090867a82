"""RFM scores and named segments (issue 15) on a small fixed history, imported as an owner
would import it, against scores worked out by hand. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

from loyalty_plugins.insights.rfm import (
    DEFAULT_RULES,
    customer_rfm,
    quintile_scores,
    segment_of,
)
from loyalty_plugins.insights.snapshot import pareto_share, refresh
from storefront.imports.orders import import_orders
from tests.points_support import loyalty_app

AS_OF = datetime(2025, 1, 1)
# customer: (orders, days from the last one to AS_OF); each order is 10.00.
HISTORY = {"c0": (1, 10), "c1": (1, 400), "c2": (1, 200), "c3": (2, 30), "c4": (2, 300),
           "c5": (3, 60), "c6": (4, 500), "c7": (5, 20), "c8": (6, 90), "c9": (8, 5)}
# By hand: F = 1 + floor(5 x customers with fewer orders / 10); R likewise, by how many
# customers bought last before them (c6 500 days, c1 400, c4 300, c2 200, c8 90, c5 60, c3 30,
# c7 20, c0 10, c9 5).
EXPECTED = {"c0": (5, 1, "new"), "c1": (1, 1, "lost"), "c2": (2, 1, "hibernating"),
            "c3": (4, 2, "potential"), "c4": (2, 2, "hibernating"), "c5": (3, 3, "loyal"),
            "c6": (1, 4, "cannot lose"), "c7": (4, 4, "champions"), "c8": (3, 5, "loyal"),
            "c9": (5, 5, "champions")}


def history_file(tmp_path):
    rows = ["order,email,date,total"]
    for customer, (orders, days) in HISTORY.items():
        for n in range(orders):
            placed = AS_OF - timedelta(days=days + 10 * n, hours=12)
            rows.append(f"{customer}-{n},{customer}@example.com,{placed.isoformat()},10.00")
    rows.append(f"late,c0@example.com,{AS_OF.isoformat()},99.00")  # on the day: not counted
    path = tmp_path / "history.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def test_every_customer_gets_the_scores_and_segment_worked_out_by_hand(make_app, tmp_path):
    app = loyalty_app(make_app, plugins=("insights",))
    with app.app_context():
        assert import_orders(history_file(tmp_path)).imported == 34
        found = {row.customer.split("@")[0]: row for row in customer_rfm(AS_OF)
                 if row.customer.startswith("c")}
    assert {name: (row.recency, row.frequency, row.segment)
            for name, row in found.items()} == EXPECTED
    assert (found["c9"].orders, found["c9"].net, found["c9"].days_since) == (8, 8000, 5)
    assert found["c9"].monetary == 5 and found["c0"].monetary == 1
    with app.app_context():
        assert refresh(AS_OF) == 10
        assert pareto_share(10, 33_000) == (8 + 6) / 33  # c9 and c8 of 33 orders of 10.00


def test_scores_share_equal_values_and_start_at_one():
    assert list(quintile_scores(np.array([3, 3, 3, 3, 9]))) == [1, 1, 1, 1, 5]
    assert list(quintile_scores(np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))) == [
        1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_the_default_rules_name_every_pair_of_scores():
    names = {segment_of(r, f) for r in range(1, 6) for f in range(1, 6)}
    assert "other" not in names
    assert names == {rule.segment for rule in DEFAULT_RULES}
