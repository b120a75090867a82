"""Segments and relationship figures over a large history: seconds and peak memory, on SQLite
and PostgreSQL.

    .venv/bin/python bench/bench_insights.py [--orders 1000000] [--customers 100000]
                                             [--no-postgresql]

A history of --orders orders among --customers customers (random days over two years, a few
customers buying often and most once or twice, each order 10-60.00) is imported with
``storefront import orders`` into a freshly migrated database (a SQLite file; a database of a
throwaway PostgreSQL cluster on 127.0.0.1). Then, in a process of
its own, each is run three times (best time counts): RFM scores and segments for every
customer (``customer_rfm``), repurchase over the last 365 days, churn from the RFM rows, the
whole hourly refresh (those, the value models fitted, the tables rewritten), the reads of
the insights page and the profitability matrix over 2024 (one query; nine orders in ten have
a cost); the process reports its peak resident memory. Temporary files and the cluster are
removed at the end.
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
import json, resource, sys, time
from datetime import datetime, timedelta
from storefront import create_app
from loyalty_plugins.insights.kpis import churn_of, repurchase
from loyalty_plugins.insights.rfm import customer_rfm
from loyalty_plugins.insights.snapshot import refresh
from loyalty_plugins.insights.snapshot import pareto_share, summary
from loyalty_plugins.insights.views import _segments
from loyalty_plugins.insights.period import Period
from loyalty_plugins.insights.profit import margins
app = create_app()
now = datetime(2025, 1, 1)
out = {}


def page():
    found = _segments()
    customers = sum(row[0] for row in found.values())
    pareto_share(customers, sum(row[1] for row in found.values()))
    return summary().customers


with app.app_context():
    customers = customer_rfm(now)
    for name, figure in (("rfm", lambda: len(customer_rfm(now))),
                         ("repurchase", lambda: repurchase(now - timedelta(days=365), now).gaps),
                         ("churn", lambda: churn_of(customers).customers),
                         ("refresh", lambda: refresh(now)),
                         ("page", page),
                         ("profit", lambda: len(margins(Period(datetime(2024, 1, 1).date(),
                                                               datetime(2024, 12, 31).date()))))):
        out[name] = best_of_three(figure)
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def measure(url: str, folder: Path) -> str:
    found = timed_in_child(CHILD, imported(url, folder, ("orders", folder / "history.csv")))
    rfm, again, lapsed = found["rfm"], found["repurchase"], found["churn"]
    job, page, profit = found["refresh"], found["page"], found["profit"]
    return (f"  RFM of {rfm[1]:,} customers {rfm[0]:5.2f} s, repurchase ({again[1]:,} gaps) "
            f"{again[0]:5.2f} s, churn ({lapsed[1]:,} repeat customers) {lapsed[0]:5.2f} s; "
            f"the hourly refresh (all of it, the value models fitted, the tables written) "
            f"{job[0]:5.2f} s; the page's reads {page[0] * 1000:6.1f} ms; "
            f"profitability of {profit[1]} segments {profit[0]:5.2f} s; "
            f"peak {found['peak_mb']:.0f} MB")


def main() -> int:
    args = arguments(__doc__.split("\n\n")[0])
    print(f"{args.orders:,} orders of {args.customers:,} customers")
    on_both_databases(args, "bench_insights", lambda folder: write_history(
        folder / "history.csv", args.orders, args.customers), measure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
