"""What the database benchmarks (bench_points.py, bench_events.py) share: a migrated shop on a
given database, bulk loading, the SQL log and plans, progress lines, percentiles, and the
machine's facts."""

from __future__ import annotations

import os
import platform
import threading
import time
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from sqlalchemy import event

from storefront import create_app

try:
    from storefront.database import migrate
except ImportError:  # a tree from before storefront/database/ (bench_worker.py's "before")
    from storefront import migrate  # type: ignore[no-redef]
from storefront.extensions import db
from storefront.plugins.state import set_enabled

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _engine(app):
    with app.app_context():
        return db.engine


def machine() -> dict:
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f
                      if line.startswith("model name")), platform.machine())
    return {"nproc": os.cpu_count(), "cpu": model, "python": platform.python_version(),
            "platform": platform.platform(), "load_average": os.getloadavg(),
            "packages": {p: metadata.version(p) for p in
                         ("Flask", "SQLAlchemy", "psycopg", "Werkzeug")}}


def make_app(url: str, instance: Path, content: Path = ROOT / "content", **extra):
    return create_app({
        "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url, "CONTENT_DIR": str(content),
        "MAIL_BACKEND": "file", "MAIL_FILE_DIR": str(instance / "mail"),
        "LOAD_ENTRY_POINT_PLUGINS": True, "BASE_URL": "http://localhost", **extra,
    }, instance_path=str(instance))


def prepare_shop(url: str, instance: Path, plugins: Iterable[str],
                 content: Path = ROOT / "content", **extra):
    """A shop database migrated with every installed plugin's tables, ``plugins`` on."""
    app = make_app(url, instance, content, **extra)
    migrate.upgrade(app)
    with app.app_context():
        for name in plugins:
            set_enabled(name, True, actor="bench")
    return app


def bulk_load(app, tables: Iterable[tuple[str, tuple[str, ...], Iterable[tuple]]]) -> float:
    """Insert ``(table, columns, rows)`` in that order: executemany on SQLite, COPY on
    PostgreSQL (then each ``id`` sequence moved past the rows); ANALYZE at the end, as
    autovacuum would soon after. Returns the seconds it took."""
    started = time.perf_counter()
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            if db.engine.dialect.name == "postgresql":
                _copy(raw.driver_connection, tables)
            else:
                cur = raw.cursor()
                for table, columns, rows in tables:
                    cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) "
                                    f"VALUES ({', '.join('?' * len(columns))})", rows)
                raw.commit()
                cur.execute("ANALYZE")
                raw.commit()
        finally:
            raw.close()
    return time.perf_counter() - started


def _copy(conn, tables) -> None:
    with conn.cursor() as cur:
        for table, columns, rows in tables:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            if "id" in columns:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT max(id) FROM {table}))")
    conn.commit()
    conn.autocommit = True
    conn.execute("ANALYZE")
    conn.autocommit = False


class StatementLog:
    """The SQL statements the app runs while active, with their parameters and times."""

    def __init__(self, engine):
        self.engine = engine
        self.active = False
        self.rows: list[tuple[float, str, object]] = []
        self._started = threading.local()
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        self._started.t = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.active:
            self.rows.append((time.perf_counter() - self._started.t, statement, parameters))

    def close(self) -> None:
        event.remove(self.engine, "before_cursor_execute", self._before)
        event.remove(self.engine, "after_cursor_execute", self._after)


def explain(app, statement: str, parameters, without_index: str | None = None) -> list[str]:
    """The plan of a statement as the app ran it. On PostgreSQL it is run (EXPLAIN ANALYZE)
    and rolled back; ``without_index`` is dropped inside that transaction first, to see the
    plan the planner takes when it does not pick that index."""
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            if db.engine.dialect.name == "postgresql":
                if without_index:
                    cur.execute(f"DROP INDEX {without_index}")  # rolled back below
                cur.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF) " + statement,
                            parameters)
                plan = [row[0] for row in cur.fetchall()]
            else:
                cur.execute("EXPLAIN QUERY PLAN " + statement, parameters)
                plan = [row[-1] for row in cur.fetchall()]
            raw.rollback()
            return plan
        finally:
            raw.close()
