"""What the benchmarks over a large order history share: the seeded history, a freshly
migrated database that imported it (a SQLite file, then a throwaway PostgreSQL cluster on
127.0.0.1), and a child process that times the figures and answers in JSON."""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = date(2023, 1, 1)


def write_history(path: Path, orders: int, customers: int) -> None:
    """Orders on random days of two years; a customer's share of them falls off steeply (the
    square of a uniform draw), so a few buy often and most once or twice; each 10-60.00, nine
    in ten with a cost. Seeded: the same file every run."""
    rng = random.Random(0)
    with path.open("w", encoding="utf-8") as out:
        out.write("order,email,date,total,cost\n")
        for n in range(orders):
            customer = int(customers * rng.random() ** 2)
            placed = (START + timedelta(days=rng.randrange(730))).isoformat()
            cost = f"{(10 + n % 51) * 0.45:.2f}" if n % 10 else ""  # one in ten without
            out.write(f"I-{n},c{customer}@example.com,{placed}T12:00:00,{10 + n % 51}.00,"
                      f"{cost}\n")


def arguments(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--no-postgresql", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    return parser.parse_args()


def imported(url: str, folder: Path, *imports: tuple[str, Path]) -> dict[str, str]:
    """Migrate the database at ``url`` and import the files (``("orders", path)``, ...);
    the environment its shop runs in."""
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}  # with its plugins
    storefront = str(Path(sys.executable).parent / "storefront")
    for command in (["db", "upgrade"], *(["import", what, str(path)] for what, path in imports)):
        subprocess.run([storefront, *command], env=env, check=True, cwd=folder,
                       capture_output=True)
    return env


def timed_in_child(code: str, env: dict[str, str], *args: str) -> dict:
    """Run ``code`` in a Python of its own (a clean heap, its own peak memory); its JSON."""
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, stdout=subprocess.PIPE,
                          text=True, cwd=ROOT, check=True)  # its errors on our stderr
    return json.loads(done.stdout)


def on_both_databases(args: argparse.Namespace, name: str, write: Callable[[Path], None],
                      measure: Callable[[str, Path], str]) -> None:
    """``write(folder)`` the files to import, then print ``measure(url, folder)`` for a
    SQLite file and for a database of a throwaway PostgreSQL cluster (each unless told not
    to); the folder is removed at the end."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write(folder)
        if not args.no_sqlite:
            print("SQLite")
            print(measure(f"sqlite:///{folder / 'shop.sqlite3'}", folder))
        if args.no_postgresql:
            return
        from tests.support import postgres

        cluster = postgres.start_cluster()
        try:
            with cluster.database(name) as url:
                print("PostgreSQL")
                print(measure(url, folder))
        finally:
            cluster.stop()


def best_of_three(figure: Callable[[], object]) -> tuple[float, object]:
    """Run ``figure`` three times: the best time, in seconds, and what it answered."""
    best = None
    for _ in range(3):
        started = time.perf_counter()
        answer = figure()
        took = time.perf_counter() - started
        best = took if best is None else min(best, took)
    return best, answer
