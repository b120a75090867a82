"""What the monthly statements job costs: members per second, SQL statements per member, and
the cost of a run that finds every statement sent already.

    .venv/bin/python bench/bench_statements.py [--members 3000]

On SQLite and on PostgreSQL (a throwaway cluster from tests/support/postgres.py), side by
side: a shop migrated with every installed plugin's tables, points, tiers, events and
statements on, the demo's content (its events); --members customer accounts bulk loaded,
each given 100 points through ``points_grant`` (so each has something to report). Then the
job's work (``service.send_due``) runs for the month in progress, as it will on the first
of next month: the time, statements written per second, SQL statements per member; then the
same run again (everything sent: what every later hourly run of the month costs). The last
line extrapolates to 100,000 members. Temporary files and the cluster are removed at the end.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchlib import StatementLog, _engine, bulk_load, log, prepare_shop  # noqa: E402

from hooks import add_months, call, today  # noqa: E402
from loyalty_plugins.statements import service, settings  # noqa: E402
from storefront.extensions import db  # noqa: E402
from tests.support import postgres  # noqa: E402

PLUGINS = ("points", "tiers", "events", "statements")
USER_COLUMNS = ("id", "email", "name", "password_hash", "role", "session_token",
                "email_verified_at", "marketing_opt_out", "created_at")


def users(count: int):
    created = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime()) + ".000000"
    for uid in range(1, count + 1):
        yield (uid, f"member{uid}@example.com", f"Member {uid}", "x", "customer",
               secrets.token_urlsafe(16), created, False, created)


def load(app, count: int) -> None:
    bulk_load(app, [("user_account", USER_COLUMNS, users(count))])
    with app.app_context():
        for uid in range(1, count + 1):
            call("points_grant", user_id=uid, points=100, reason="bench", key=f"bench:{uid}",
                 actor="bench")
            if uid % 500 == 0:
                db.session.commit()
        db.session.commit()


def measure(app, count: int) -> dict:
    sql = StatementLog(_engine(app))
    with app.app_context():  # the first of next month: this month is due
        day = add_months(today().replace(day=1), 1)
    figures = {}
    try:
        for run in ("first", "again"):
            with app.app_context():
                sql.rows.clear()
                sql.active = True
                started = time.perf_counter()
                counts = service.send_due(settings.current(), day=day)
                seconds = time.perf_counter() - started
                sql.active = False
                db.session.remove()
            figures[run] = {"seconds": seconds, "sent": counts["sent"],
                            "statements": len(sql.rows)}
    finally:
        sql.close()
    figures["per_second"] = count / figures["first"]["seconds"]
    figures["sql_per_member"] = figures["first"]["statements"] / count
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=3000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-statements-"))
    cluster = None
    results = {}
    try:
        log(f"SQLite: migrate, load {args.members} members")
        app = prepare_shop(f"sqlite:///{tmp / 'shop.db'}", tmp / "sqlite", PLUGINS)
        load(app, args.members)
        log("SQLite: running the job")
        results["SQLite"] = measure(app, args.members)
        with app.app_context():
            db.engine.dispose()
        log("PostgreSQL: start a throwaway cluster, migrate, load")
        cluster = postgres.start_cluster()
        with cluster.database("bench_statements") as url:
            app = prepare_shop(url, tmp / "pg", PLUGINS)
            load(app, args.members)
            log("PostgreSQL: running the job")
            results["PostgreSQL"] = measure(app, args.members)
            with app.app_context():
                db.engine.dispose()
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    names = list(results)
    rows = [
        ("members", lambda r: f"{args.members:,}"),
        ("statements sent (first run)", lambda r: f"{r['first']['sent']:,}"),
        ("first run, seconds", lambda r: f"{r['first']['seconds']:.1f}"),
        ("statements per second", lambda r: f"{r['per_second']:.0f}"),
        ("SQL statements per member", lambda r: f"{r['sql_per_member']:.1f}"),
        ("run again (all sent), seconds", lambda r: f"{r['again']['seconds']:.2f}"),
        ("100,000 members, minutes (estimate)",
         lambda r: f"{100_000 / r['per_second'] / 60:.0f}"),
    ]
    print()
    print(f"{'':38}" + "".join(f"{name:>14}" for name in names))
    for label, cell in rows:
        print(f"{label:38}" + "".join(f"{cell(results[name]):>14}" for name in names))
    return 0


if __name__ == "__main__":
    sys.exit(main())
