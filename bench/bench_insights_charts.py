"""The Pareto curve and the monthly trends over a large base: seconds per read, on SQLite and
PostgreSQL.

    .venv/bin/python bench/bench_insights_charts.py [--orders 1000000] [--customers 100000]
                                                    [--no-postgresql]

The history of bench_insights.py (same seed) is imported into a freshly migrated database and
refreshed once (the Pareto curve reads the kept figures); then, in a process of its own, each
read runs three times (best time counts): the curve (two queries: the totals, then the points
of a window sum over every kept customer), 24 months of trends and the 120 months the page
allows at most, and the whole pages as a manager opens them.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.history_bench import (  # noqa: E402 - after the path
    arguments,
    imported,
    on_both_databases,
    timed_in_child,
    write_history,
)

CHILD = """
from bench.history_bench import best_of_three
import json, time
from datetime import date, datetime
from storefront import create_app
from loyalty_plugins.insights.pareto import curve
from loyalty_plugins.insights.snapshot import refresh
from loyalty_plugins.insights.trends import monthly
from loyalty_plugins.insights.chart_views import _pareto_chart, _trend_charts
from loyalty_plugins.insights.charts import render
app = create_app()
out = {}
with app.test_request_context():
    refresh(datetime(2025, 1, 1))
    for name, figure in (
            ("curve", lambda: len(curve().points)),
            ("months24", lambda: len(monthly(date(2023, 1, 1), date(2024, 12, 1)))),
            ("months120", lambda: len(monthly(date(2015, 1, 1), date(2024, 12, 1)))),
            ("pareto_page", lambda: len(render(_pareto_chart(curve())))),
            ("trends_page", lambda: len(_trend_charts(
                monthly(date(2023, 1, 1), date(2024, 12, 1)))))):
        out[name] = best_of_three(figure)
print(json.dumps(out))
"""


def measure(url: str, folder: Path) -> str:
    found = timed_in_child(CHILD, imported(url, folder, ("orders", folder / "history.csv")))
    ms = {name: value[0] * 1000 for name, value in found.items()}
    return (f"  Pareto curve ({found['curve'][1]} points) {ms['curve']:7.1f} ms, "
            f"with its chart {ms['pareto_page']:7.1f} ms; trends of 24 months "
            f"{ms['months24']:7.1f} ms, with its four charts {ms['trends_page']:7.1f} ms; "
            f"of 120 months {ms['months120']:7.1f} ms")


def main() -> int:
    args = arguments(__doc__.split("\n\n")[0])
    print(f"{args.orders:,} orders of {args.customers:,} customers")
    on_both_databases(args, "bench_insights_charts", lambda folder: write_history(
        folder / "history.csv", args.orders, args.customers), measure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
