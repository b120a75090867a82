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

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
START = date(2023, 1, 1)

CHILD = """
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
        best = None
        for _ in range(3):
            started = time.perf_counter()
            size = figure()
            took = time.perf_counter() - started
            best = took if best is None else min(best, took)
        out[name] = (best, size)
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def write_history(path: Path, orders: int, customers: int) -> None:
    """Orders on random days of two years; a customer's share of them falls off steeply (the
    square of a uniform draw), so a few buy often and most once or twice. Seeded: the same
    file every run."""
    rng = random.Random(0)
    with path.open("w", encoding="utf-8") as out:
        out.write("order,email,date,total,cost\n")
        for n in range(orders):
            customer = int(customers * rng.random() ** 2)
            placed = (START + timedelta(days=rng.randrange(730))).isoformat()
            cost = f"{(10 + n % 51) * 0.45:.2f}" if n % 10 else ""  # one in ten without
            out.write(f"I-{n},c{customer}@example.com,{placed}T12:00:00,{10 + n % 51}.00,"
                      f"{cost}\n")


def measure(url: str, folder: Path, history: Path) -> str:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}  # with its plugins
    storefront = str(Path(sys.executable).parent / "storefront")
    subprocess.run([storefront, "db", "upgrade"], env=env, check=True, cwd=folder,
                   capture_output=True)
    subprocess.run([storefront, "import", "orders", str(history)], env=env, check=True,
                   cwd=folder, capture_output=True)
    done = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                          text=True, cwd=ROOT, check=True)
    found = json.loads(done.stdout)
    rfm, again, lapsed = found["rfm"], found["repurchase"], found["churn"]
    job, page, profit = found["refresh"], found["page"], found["profit"]
    return (f"  RFM of {rfm[1]:,} customers {rfm[0]:5.2f} s, repurchase ({again[1]:,} gaps) "
            f"{again[0]:5.2f} s, churn ({lapsed[1]:,} repeat customers) {lapsed[0]:5.2f} s; "
            f"the hourly refresh (all of it, the value models fitted, the tables written) "
            f"{job[0]:5.2f} s; the page's reads {page[0] * 1000:6.1f} ms; "
            f"profitability of {profit[1]} segments {profit[0]:5.2f} s; "
            f"peak {found['peak_mb']:.0f} MB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        history = folder / "history.csv"
        write_history(history, args.orders, args.customers)
        print(f"{args.orders:,} orders of {args.customers:,} customers")
        print("SQLite")
        print(measure(f"sqlite:///{folder / 'shop.sqlite3'}", folder, history))
        if not args.no_postgresql:
            from tests.support import postgres

            cluster = postgres.start_cluster()
            try:
                with cluster.database("bench_insights") as url:
                    print("PostgreSQL")
                    print(measure(url, folder, history))
            finally:
                cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
