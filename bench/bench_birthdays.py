"""How long the hourly birthdays job takes as the club grows: its first run of a day (which
greets) and its other runs that day (which find everyone greeted).

    .venv/bin/python bench/bench_birthdays.py [--members 10000 100000]

For each size, a fresh SQLite shop (temporary folder, removed at the end) migrated with every
installed plugin's tables, points and birthdays on. Members are bulk loaded (customers; joined
on a day spread over the last three years; 30 % gave a birthday, spread over the year), then
the job's work (loyalty_plugins.birthdays.service.greet_due, as `storefront jobs run` calls it)
is timed on one day: the first run greets everyone whose day it is (a birthday or an
anniversary; one transaction each: the row, 100 points, the message) and the second finds
them greeted. The job reads every member once per run for the anniversaries (hooks.members(),
500 at a time: the contract has no query by join date), and the birthdays by month.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from benchlib import bulk_load, log, machine, prepare_shop

from hooks import utcnow
from loyalty_plugins.birthdays import service, settings

DAY = date(2027, 6, 15)


def members(count: int, rng: random.Random):
    users, birthdays = [], []
    now = datetime(2027, 6, 1, 12)
    for user_id in range(1, count + 1):
        joined = now - timedelta(days=rng.randrange(1, 3 * 365), minutes=rng.randrange(1440))
        users.append((user_id, f"m{user_id}@example.com", f"M{user_id}", "x", "customer",
                      f"t{user_id}", False, "", joined))
        if rng.random() < 0.3:
            born = date(2000, 1, 1) + timedelta(days=rng.randrange(366))
            birthdays.append((user_id, born.day, born.month, None, joined))
    return [("user_account", ("id", "email", "name", "password_hash", "role", "session_token",
                              "marketing_opt_out", "language", "created_at"), users),
            ("birthdays_birthday", ("user_id", "day", "month", "year", "updated_at"),
             birthdays)]


def run(size: int, folder: Path) -> tuple[int, float, float]:
    app = prepare_shop(f"sqlite:///{folder}/shop.sqlite3", folder, ("points", "birthdays"))
    bulk_load(app, members(size, random.Random(size)))
    times, sent = [], 0
    with app.app_context():
        cfg = settings.current()
        for _ in range(2):
            started = time.perf_counter()
            sent += service.greet_due(DAY, utcnow(), cfg)
            times.append(time.perf_counter() - started)
    return sent, times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    log(f"machine: {machine()}")
    rows = []
    for size in args.members:
        folder = Path(tempfile.mkdtemp(prefix="bench-birthdays-"))
        try:
            rows.append((size, *run(size, folder)))
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        log(f"{size} members done")
    print(f"{'members':>10} {'greeted':>8} {'first run s':>12} {'next runs s':>12}")
    for size, sent, first, again in rows:
        print(f"{size:>10} {sent:>8} {first:>12.2f} {again:>12.2f}")


if __name__ == "__main__":
    main()
