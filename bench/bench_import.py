"""Importing order history: rows per second and peak memory, on SQLite and PostgreSQL.

    .venv/bin/python bench/bench_import.py [--rows 100000 1000000] [--no-postgresql]

For each size, a CSV file in our columns (one order line per row, every other order of two
lines, a known SKU on half of them) is imported with ``import_orders`` into a freshly
migrated database: a SQLite file, and a database of a throwaway PostgreSQL cluster
(tests/support/postgres.py, on 127.0.0.1). Each import runs in a process of its own, which
reports its wall time and peak resident memory (``ru_maxrss``); the same file is then
imported again (every order already there) to time the idempotent pass. Temporary files and
the cluster are removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import json, resource, sys, time
from pathlib import Path
from storefront import create_app
from storefront.imports.orders import import_orders
app = create_app()
with app.app_context():
    started = time.perf_counter()
    report = import_orders(Path(sys.argv[1]))
    seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "imported": report.imported, "already": report.already,
                  "problems": len(report.problems),
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def write_orders(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("order,email,date,total,currency,name,sku,quantity,price\n")
        n = written = 0
        while written < rows:
            lines = 2 if n % 2 else 1
            for line in range(min(lines, rows - written)):
                sku = "COF-COL-250" if line == 0 and n % 4 == 0 else f"OLD-{n % 500}"
                out.write(f"H-{n},c{n % 100000}@example.com,2024-{n % 12 + 1:02d}-"
                          f"{n % 28 + 1:02d},21.80,EUR,Customer {n % 100000},{sku},2,"
                          "10.90\n")
                written += 1
            n += 1


def run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          cwd=ROOT, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{args[:2]} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def measure(url: str, folder: Path, files: dict[int, Path]) -> list[str]:
    env = {**os.environ, "DATABASE_URL": url, "STOREFRONT_LOAD_ENTRY_POINT_PLUGINS": "false",
           "PYTHONPATH": str(ROOT)}
    storefront = str(Path(sys.executable).parent / "storefront")
    lines = []
    for rows, path in files.items():
        subprocess.run([storefront, "db", "upgrade"], env=env, check=True, cwd=folder,
                       capture_output=True)
        first = json.loads(run(env, "-c", CHILD, str(path)))
        again = json.loads(run(env, "-c", CHILD, str(path)))
        assert first["problems"] == 0 and again["imported"] == 0, (first, again)
        lines.append(f"  {rows:>9,} rows: {first['imported']:>8,} orders in "
                     f"{first['seconds']:6.1f} s = {rows / first['seconds']:8,.0f} rows/s, "
                     f"peak {first['peak_mb']:5.0f} MB; again (all already there) "
                     f"{again['seconds']:5.1f} s = {rows / again['seconds']:8,.0f} rows/s, "
                     f"peak {again['peak_mb']:5.0f} MB")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--no-postgresql", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files = {}
        for rows in args.rows:
            files[rows] = folder / f"orders-{rows}.csv"
            write_orders(files[rows], rows)
            print(f"{files[rows].name}: {files[rows].stat().st_size / 1e6:.1f} MB")
        print("SQLite")
        for rows, path in files.items():
            for line in measure(f"sqlite:///{folder / f'shop-{rows}.sqlite3'}", folder,
                                {rows: path}):
                print(line)
        if not args.no_postgresql:
            from tests.support import postgres

            cluster = postgres.start_cluster()
            try:
                print("PostgreSQL")
                for n, (rows, path) in enumerate(files.items()):
                    with cluster.database(f"bench_import_{n}") as url:
                        for line in measure(url, folder, {rows: path}):
                            print(line)
            finally:
                cluster.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
