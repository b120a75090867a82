"""Segments and relationship figures over a large history: seconds and peak memory, on SQLite
and PostgreSQL.

    .venv/bin/python bench/bench_insights.py [--orders 1000000] [--customers 100000]
                                             [--no-postgresql] [--no-sqlite]

A history of --orders orders among --customers customers (random days over two years, a few
customers buying often and most once or twice, each order 10-60.00) is imported with
``storefront import orders`` into a freshly migrated database (a SQLite file; a database of a
throwaway PostgreSQL cluster on 127.0.0.1). Then, in a process of its own, the sums the
plugin keeps (loyalty_plugins/insights/history.py) are rebuilt once, as the first refresh
after an import does, and each figure is run three times (best time counts) both ways, from
every order (as before the kept sums) and from the kept sums: RFM scores and segments for
every customer, repurchase over the last 365 days, the three with churn (the kept way with
its check that the sums still match the history), and the whole hourly refresh (those, the
value models fitted, the tables rewritten); then the reads of the insights page and the
profitability matrix over 2024 (one query; nine orders in ten have a cost). It says whether
both ways gave the same figures, and the process's peak resident memory. Temporary files
and the cluster are removed at the end.
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
import json, math, resource, sys, time
from dataclasses import astuple
from datetime import datetime, timedelta
from storefront import create_app
from loyalty_plugins.insights import history
from loyalty_plugins.insights.kpis import churn_of, repurchase
from loyalty_plugins.insights.rfm import customer_rfm
from loyalty_plugins.insights.snapshot import refresh
from loyalty_plugins.insights.snapshot import pareto_share, summary
from loyalty_plugins.insights.views import _segments
from loyalty_plugins.insights.period import Period
from loyalty_plugins.insights.profit import margins
app = create_app()
now = datetime(2025, 1, 1)
year = timedelta(days=365)
out = {}


def page():
    found = _segments()
    customers = sum(row[0] for row in found.values())
    pareto_share(customers, sum(row[1] for row in found.values()))
    return summary().customers


def from_orders():
    customers = customer_rfm(now)
    return customers, repurchase(now - year, now), churn_of(customers)


def from_kept():
    assert history.in_step() and history.covers(now)
    customers = history.customer_rfm(now)
    return customers, history.repurchase(now - year, now), churn_of(customers)


def same(a, b):
    (rows_a, again_a, lapsed_a), (rows_b, again_b, lapsed_b) = a, b
    close = lambda x, y: (x is None and y is None) or math.isclose(x, y, rel_tol=1e-9)
    return (list(rows_a) == list(rows_b) and lapsed_a == lapsed_b
            and astuple(again_a)[:4] == astuple(again_b)[:4]
            and close(again_a.mean_days, again_b.mean_days)
            and close(again_a.median_days, again_b.median_days))


with app.app_context():
    started = time.perf_counter()
    history.rebuild()  # what the first refresh after the import does
    out["rebuild"] = [time.perf_counter() - started, None]
    out["equal"] = same(from_orders(), from_kept())
    customers = customer_rfm(now)
    for name, figure in (
            ("rfm_old", lambda: len(customer_rfm(now))),
            ("rfm_new", lambda: len(history.customer_rfm(now))),
            ("repurchase_old", lambda: repurchase(now - year, now).gaps),
            ("repurchase_new", lambda: history.repurchase(now - year, now).gaps),
            ("guard", lambda: history.in_step() and history.covers(now)),
            ("churn", lambda: churn_of(customers).customers),
            ("figures_old", lambda: len(from_orders()[0])),
            ("figures_new", lambda: len(from_kept()[0])),
            ("refresh_old", lambda: refresh(now, kept=False)),
            ("refresh_new", lambda: refresh(now)),
            ("page", page),
            ("profit", lambda: len(margins(Period(datetime(2024, 1, 1).date(),
                                                  datetime(2024, 12, 31).date()))))):
        out[name] = best_of_three(figure)
out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""

ROWS = (("RFM scores and segments ({rfm_old[1]:,} customers)", "rfm"),
        ("repurchase, last 365 days ({repurchase_old[1]:,} gaps, mean, median)", "repurchase"),
        ("segments + KPIs: RFM, repurchase, churn (kept: with the in-step check)", "figures"),
        ("the hourly refresh (the above, value models fitted, tables written)", "refresh"))


def measure(url: str, folder: Path) -> str:
    return report(timed_in_child(CHILD, imported(url, folder, ("orders", folder / "history.csv"))))


def report(found: dict) -> str:
    lines = [f"  {'':72} {'from orders':>12} {'kept sums':>10} {'gain':>6}"]
    for label, key in ROWS:
        old, new = found[f"{key}_old"][0], found[f"{key}_new"][0]
        lines.append(f"  {label.format(**found):72} {old:10.3f} s {new:8.3f} s "
                     f"{1 - new / old:6.0%}")
    lines.append(f"  in-step check {found['guard'][0]:.3f} s, churn {found['churn'][0]:.3f} s, "
                 f"rebuild of the kept sums {found['rebuild'][0]:.2f} s; the page's reads "
                 f"{found['page'][0] * 1000:.1f} ms; profitability of {found['profit'][1]} "
                 f"segments {found['profit'][0]:.2f} s; the same figures both ways: "
                 f"{'yes' if found['equal'] else 'NO'}; peak {found['peak_mb']:.0f} MB")
    return "\n".join(lines)


def main() -> int:
    args = arguments(__doc__.split("\n\n")[0])
    print(f"{args.orders:,} orders of {args.customers:,} customers")
    on_both_databases(args, "bench_insights", lambda folder: write_history(
        folder / "history.csv", args.orders, args.customers), measure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
