"""The "What if" of the points and tiers settings over a large history: seconds, on SQLite and
PostgreSQL.

    .venv/bin/python bench/bench_backtest.py [--orders 1000000] [--customers 100000]
                                             [--no-postgresql]

The history of bench_insights.py (--orders orders among --customers customers over two years,
made by its own generator) is imported with ``storefront import customers`` (every customer
has an account, so the tiers count them) and ``storefront import orders`` into a freshly
migrated database (a SQLite file; a database of a throwaway PostgreSQL cluster). Then, in a
process of its own, each what-if is run three times (best time counts) over the whole history:
points (1 a unit rounded down against 1.5 rounded up) and tiers (the default ladder over 60
months against a ladder with a fourth tier over 48 months). Temporary files and the cluster
are removed at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.history_bench import (  # noqa: E402 - after the path
    START,
    arguments,
    imported,
    on_both_databases,
    timed_in_child,
    write_history,
)

CHILD = """
from bench.history_bench import best_of_three
import json, sys, time
from datetime import datetime
from decimal import Decimal
from storefront import create_app
from storefront.plugins.state import settings_for
from loyalty_plugins.points import backtest as points
from loyalty_plugins.tiers import backtest as tiers
app = create_app()
since = datetime.fromisoformat(sys.argv[1])
out = {}
with app.test_request_context():
    saved = settings_for("points")
    tried = saved | {"earn_per_unit": Decimal("1.5"), "rounding": "up", "point_value": 2}
    ladder = settings_for("tiers")["ladder"]
    bronze = {**ladder[0], "code": "bronze", "name": "Bronze", "threshold": 10000,
              "discount_percent": Decimal(2)}
    tiers_saved = settings_for("tiers") | {"window_months": 60}
    tiers_tried = tiers_saved | {"window_months": 48, "ladder": [*ladder, bronze]}
    for name, figure in (("points", lambda: points.what_if(saved, tried, since)),
                         ("tiers", lambda: tiers.what_if(tiers_saved, tiers_tried, since))):
        best, tables = best_of_three(figure)
        out[name] = (best, [[row.current, row.candidate] for row in tables[0].rows])
print(json.dumps(out))
"""


def write_customers(path: Path, customers: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("email,name\n")
        out.writelines(f"c{n}@example.com,Customer {n}\n" for n in range(customers))


def measure(url: str, folder: Path) -> str:
    env = imported(url, folder, ("customers", folder / "customers.csv"),
                   ("orders", folder / "history.csv"))
    found = timed_in_child(CHILD, env, START.isoformat())
    (points, earned), (tiers, members) = found["points"], found["tiers"]
    return (f"  points what-if {points:5.2f} s (points earned {earned[1][0]:,} | "
            f"{earned[1][1]:,}); tiers what-if {tiers:5.2f} s (members per tier "
            f"{' / '.join(str(row[0]) for row in members)} | "
            f"{' / '.join(str(row[1]) for row in members)})")


def write_files(folder: Path, args) -> None:
    write_history(folder / "history.csv", args.orders, args.customers)
    write_customers(folder / "customers.csv", args.customers)


def main() -> int:
    args = arguments(__doc__.split("\n\n")[0])
    print(f"{args.orders:,} orders of {args.customers:,} customers, all replayed")
    on_both_databases(args, "bench_backtest", lambda folder: write_files(folder, args), measure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
