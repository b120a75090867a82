"""What the points ledger costs: account pages against ledger size, and redemptions per second.

    .venv/bin/python bench/bench_points.py [--entries 1000000] [--requests 300]
                                           [--seconds 10] [--clients 16]

One run, in one process, on 127.0.0.1 only, temporary files removed at the end:

1. Page cost against ledger size, on SQLite and on PostgreSQL (a throwaway cluster from
   tests/support/postgres.py). A shop database is migrated with every installed plugin's
   tables (LOAD_ENTRY_POINT_PLUGINS=True) and the points plugin is switched on. Then
   --entries points_entry rows (1,000,000 by default) are bulk loaded (executemany on SQLite,
   COPY on PostgreSQL) for about 9,900 members with about 100 entries each, one member
   ("big") with exactly 10,000 entries and one member ("empty") with none. The ledger is
   simulated the way the plugin writes it (earn -> pending, matured 14 days later, redeemed
   soonest expiry first with reserve + spend, expired after 12 months, staff corrections),
   interleaved in time across members, with a points_lot row per grant and a points_account
   row equal to the sum of each member's entries. Both members log in through the /login
   form (CSRF token), then GET /account and GET /plugins/points/history are timed with the
   Flask test client: a warm-up, then --requests requests per member, interleaved; median
   and p95. The SQL statements of one request of each page are timed and the slowest ones
   EXPLAINed (EXPLAIN ANALYZE on PostgreSQL). On PostgreSQL, ledger.next_expiry() of the big
   member is also EXPLAINed with the other plan the planner can pick (its user_id index
   dropped inside a rolled-back transaction), and the plan picked after 10 fresh ANALYZE
   runs is counted.
2. Redemptions per second on PostgreSQL (same database, so the ledger holds 1M rows): first
   1 client for 3 s (the yardstick), then --clients threads, each on its own member (given
   10,000,000 points first), each repeating ledger.reserve(...) + commit +
   ledger.spend(...) + commit for --seconds seconds. Reports redemptions/second, latency,
   failures and their reasons, this process's CPU use, what the PostgreSQL backends were
   doing (pg_stat_activity samples) and the statements that took the most time, then checks
   for every member that the cached balance equals the ledger
   (loyalty_plugins.points.ledger.ledger_totals) and that the lots hold what the account says.
3. An experiment on the benchmark's PostgreSQL copy only: two composite indexes that the
   plugin's migration does not create (SUGGESTED_INDEXES), then part 1's pages again.

Prints tables, writes bench/out/bench_points.json, exits 1 when a goal is missed (GET /account
big/empty <= 1.5 on either database, a redemption failed, a cache differs from its ledger).
About 2 minutes on 2 CPUs; every wait has a deadline.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import shutil
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
from benchlib import (  # noqa: E402
    OUT,
    StatementLog,
    _engine,
    bulk_load,
    explain,
    log,
    machine,
    percentile,
    prepare_shop,
)
from sqlalchemy import select, text  # noqa: E402

from hooks.testing import post_form  # noqa: E402
from loyalty_plugins.points import config as points_config  # noqa: E402
from loyalty_plugins.points import ledger  # noqa: E402
from loyalty_plugins.points.clock import utcnow  # noqa: E402
from loyalty_plugins.points.models import PointsAccount  # noqa: E402
from storefront.accounts.passwords import hash_password  # noqa: E402
from storefront.extensions import db  # noqa: E402
from tests.support import postgres  # noqa: E402

PASSWORD = "correct horse battery"  # noqa: S105 - benchmark accounts
BIG_ENTRIES = 10_000
OTHER_AVERAGE = 100  # entries per ordinary member
BIG_ID, EMPTY_ID, FIRST_OTHER_ID = 1, 2, 3
ACCOUNT_GOAL = 1.5  # GET /account: big member / empty member <= 1.5
GRANT_FOR_REDEEMING = 10_000_000
REDEEM_POINTS = 100
WARMUP = 30
DAY = 86_400
PENDING_DAYS = 14  # the plugin's defaults
EXPIRY_DAYS = 365  # about expiry_months = 12
PAGES = ("/account", "/plugins/points/history")
# Not in the plugin's migration: tried at the end, on the benchmark's copy only.
SUGGESTED_INDEXES = (
    "CREATE INDEX bench_ix_points_lot_user_state_expires ON points_lot "
    "(user_id, state, expires_at)",
    "CREATE INDEX bench_ix_points_entry_user_id_id ON points_entry (user_id, id)",
)

ENTRY_COLUMNS = ("id", "user_id", "lot_id", "bucket", "delta", "kind", "order_id", "key",
                 "reason", "actor", "created_at")
LOT_COLUMNS = ("id", "user_id", "email", "source", "order_id", "amount", "remaining", "state",
               "available_at", "expires_at", "notice_sent_at", "created_at")
ACCOUNT_COLUMNS = ("user_id", "available", "pending", "reserved", "version")
USER_COLUMNS = ("id", "email", "name", "password_hash", "role", "session_token",
                "email_verified_at", "marketing_opt_out", "created_at")


# --------------------------------------------------------------------------- the ledger


def stamp(ts: float) -> str:
    """Naive UTC, written the way SQLAlchemy writes a DateTime on SQLite (and PostgreSQL
    reads it as a timestamp)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(int(ts))) + ".000000"


class Lot:
    __slots__ = ("amount", "available_at", "created_at", "expires_at", "id", "order_id",
                 "remaining", "source", "state")

    def __init__(self, lot_id, source, order_id, amount, state, available_at, created_at):
        self.id = lot_id
        self.source = source
        self.order_id = order_id
        self.amount = amount
        self.remaining = amount
        self.state = state
        self.available_at = available_at
        self.expires_at = available_at + EXPIRY_DAYS * DAY
        self.created_at = created_at


class Ledger:
    """A simulated history of the whole shop: what the plugin would have written."""

    def __init__(self, seed: int, total_entries: int, now: float):
        self.rng = random.Random(seed)
        self.now = now
        self.start = now - 3 * 365 * DAY
        self.entries: list[tuple] = []  # (ts, user_id, lot_id, bucket, delta, kind, ...)
        self.lots: list[tuple] = []
        self.accounts: list[tuple] = []
        self.next_lot = 1
        self.next_order = 1_000_000
        others = max((total_entries - BIG_ENTRIES) // OTHER_AVERAGE, 1)
        sizes = [OTHER_AVERAGE] * others
        for i in range(0, others - 1, 2):  # spread 20..180, same total
            d = self.rng.randint(0, OTHER_AVERAGE - 20)
            sizes[i] += d
            sizes[i + 1] -= d
        sizes[-1] += total_entries - BIG_ENTRIES - sum(sizes)
        self.budgets = {BIG_ID: BIG_ENTRIES, EMPTY_ID: 0}
        self.budgets.update({FIRST_OTHER_ID + i: n for i, n in enumerate(sizes)})

    def build(self) -> None:
        for user_id, budget in self.budgets.items():
            if budget:
                self._member(user_id, budget)
        # Entry ids in time order across members, as a live shop would write them.
        self.entries.sort(key=lambda e: e[0])

    def entry_rows(self):
        for i, e in enumerate(self.entries, 1):
            yield (i, *e[1:], stamp(e[0]))

    def _member(self, uid: int, budget: int) -> None:
        rng = self.rng
        entries = self.entries
        live: list[Lot] = []  # lots with points left (pending or available)
        lots: list[Lot] = []
        sums = {"available": 0, "pending": 0, "reserved": 0}
        events = 0
        end = self.now - 60
        t = self.start + rng.random() * (end - self.start) / (budget / 3.4 + 1)

        def add(ts, lot, bucket, delta, kind, order_id=None, key=None, reason="",
                actor="system"):
            entries.append((ts, uid, lot.id if lot else None, bucket, delta, kind, order_id,
                            key, reason, actor))
            sums[bucket] += delta

        def new_lot(source, order_id, amount, state, available_at, created_at):
            lot = Lot(self.next_lot, source, order_id, amount, state, available_at, created_at)
            self.next_lot += 1
            lots.append(lot)
            live.append(lot)
            return lot

        while budget > 0:
            # Spread what is left of the budget over what is left of the time, so no
            # member's history piles up at the end.
            t += rng.uniform(0, min(2 / (budget / 3.4 + 1), 1.0) * (end - t))
            events += 1
            for lot in [x for x in live if x.state == "available" and x.expires_at <= t]:
                if budget < 2:
                    break
                add(lot.expires_at, lot, "available", -lot.remaining, "expire",
                    lot.order_id, reason="points usable from "
                    f"{stamp(lot.available_at)[:10]} expired")
                lot.remaining = 0
                lot.state = "expired"
                live.remove(lot)
                budget -= 1
            usable = sorted((x for x in live if x.state == "available"
                             and x.available_at <= t < x.expires_at),
                            key=lambda x: (x.expires_at, x.id))
            total = sum(x.remaining for x in usable)
            if budget < 4:  # a staff correction: one entry
                lot = new_lot("adjust", None, rng.randint(1, 50), "available", t, t)
                add(t, lot, "available", lot.amount, "adjust", reason="goodwill",
                    actor="staff@example.com")
                budget -= 1
            elif total >= 100 and rng.random() < 0.45:
                order_id = self.next_order
                self.next_order += 1
                wanted = rng.randint(100, min(total, 1500))
                reason = f"redeemed on order {order_id}"
                taken = 0
                for lot in usable:
                    if taken == wanted or budget - 2 < 1:
                        break
                    part = min(lot.remaining, wanted - taken)
                    lot.remaining -= part
                    if not lot.remaining:
                        live.remove(lot)
                    add(t, lot, "available", -part, "reserve", order_id, reason=reason,
                        actor="shopper")
                    taken += part
                    budget -= 1
                add(t, None, "reserved", taken, "reserve", order_id, f"reserve:{order_id}",
                    reason, "shopper")
                add(min(t + 600, self.now - 1), None, "reserved", -taken, "spend", order_id,
                    f"spend:{order_id}", f"paid order {order_id}")
                budget -= 2
            else:
                order_id = self.next_order
                self.next_order += 1
                amount = rng.randint(20, 400)
                matures = t + PENDING_DAYS * DAY
                ripe = matures <= self.now and budget >= 3
                lot = new_lot("earn", order_id, amount, "available" if ripe else "pending",
                              matures, t)
                add(t, lot, "pending", amount, "earn", order_id, f"earn:{order_id}",
                    f"order {order_id} paid")
                budget -= 1
                if ripe:
                    add(matures, lot, "pending", -amount, "mature", order_id,
                        reason="the return window closed")
                    add(matures, lot, "available", amount, "mature", order_id,
                        f"mature:{lot.id}", "the return window closed")
                    budget -= 2
        assert sums["available"] == sum(x.remaining for x in lots if x.state == "available")
        assert sums["pending"] == sum(x.remaining for x in lots if x.state == "pending")
        self.accounts.append((uid, sums["available"], sums["pending"], sums["reserved"],
                              events))
        for x in lots:
            self.lots.append((x.id, uid, "", x.source, x.order_id, x.amount, x.remaining,
                              x.state, stamp(x.available_at), stamp(x.expires_at), None,
                              stamp(x.created_at)))


def user_rows(budgets: dict[int, int], password_hash: str):
    created = stamp(time.time() - 4 * 365 * DAY)
    for uid in budgets:
        email = {BIG_ID: "big@example.com", EMPTY_ID: "empty@example.com"}.get(
            uid, f"member{uid}@example.com")
        yield (uid, email, f"Member {uid}", password_hash, "customer",
               secrets.token_urlsafe(16), created, False, created)


# --------------------------------------------------------------------------- loading


def _index_names(s, table: str) -> list[str]:
    sql = ("SELECT indexname FROM pg_indexes WHERE tablename = :t"
           if s.get_bind().dialect.name == "postgresql" else
           "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :t")
    return sorted(s.scalars(text(sql), {"t": table}))


def check_load(app, book: Ledger) -> dict:
    """The loaded database holds what was simulated, and each cache equals its ledger."""
    with app.app_context():
        s = db.session
        entries = s.scalar(text("SELECT count(*) FROM points_entry"))
        big = s.scalar(text("SELECT count(*) FROM points_entry WHERE user_id = :u"),
                       {"u": BIG_ID})
        empty = s.scalar(text("SELECT count(*) FROM points_entry WHERE user_id = :u"),
                         {"u": EMPTY_ID})
        mismatched = s.scalar(text("""
            SELECT count(*) FROM points_account a LEFT JOIN (
              SELECT user_id,
                     sum(CASE WHEN bucket = 'available' THEN delta ELSE 0 END) AS av,
                     sum(CASE WHEN bucket = 'pending' THEN delta ELSE 0 END) AS pe,
                     sum(CASE WHEN bucket = 'reserved' THEN delta ELSE 0 END) AS re
              FROM points_entry GROUP BY user_id) e ON e.user_id = a.user_id
            WHERE a.available != coalesce(e.av, 0) OR a.pending != coalesce(e.pe, 0)
               OR a.reserved != coalesce(e.re, 0)"""))
        lots = s.scalar(text("SELECT count(*) FROM points_lot"))
        big_lots = s.scalar(text("SELECT count(*) FROM points_lot WHERE user_id = :u"),
                            {"u": BIG_ID})
        members = s.scalar(text("SELECT count(*) FROM user_account"))
        indexes, lot_indexes = _index_names(s, "points_entry"), _index_names(s, "points_lot")
    assert entries == len(book.entries), (entries, len(book.entries))
    assert big == BIG_ENTRIES and empty == 0, (big, empty)
    assert mismatched == 0, f"{mismatched} accounts differ from their ledger"
    return {"entries": entries, "lots": lots, "members": members, "big_entries": big,
            "big_lots": big_lots, "entry_indexes": indexes, "lot_indexes": lot_indexes}


# --------------------------------------------------------------------------- pages


def login(app, email: str):
    client = app.test_client()
    response = post_form(client, "/login", "/login", {"email": email, "password": PASSWORD})
    assert response.status_code == 302, f"{email} could not log in ({response.status_code})"
    return client


def plan_choices(app, statement: str, parameters, samples: int = 10) -> dict[str, int]:
    """Which index PostgreSQL picks for a statement after each of ``samples`` fresh ANALYZE
    runs of points_lot (ANALYZE reads a random sample, so the estimates move a little)."""
    choices: Counter = Counter()
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            for _ in range(samples):
                cur.execute("ANALYZE points_lot")
                cur.execute("EXPLAIN " + statement, parameters)
                plan = " ".join(row[0] for row in cur.fetchall())
                used = re.findall(r"using (\w+) on points_lot", plan, re.IGNORECASE)
                choices[", ".join(used) or "no index"] += 1
                raw.commit()
        finally:
            raw.close()
    return dict(choices)


def measure_pages(app, backend: str, requests: int, expected: dict[int, int],
                  other_plan: bool = False) -> dict:
    clients = {"big": login(app, "big@example.com"), "empty": login(app, "empty@example.com")}
    members = {"big": BIG_ID, "empty": EMPTY_ID}
    results: dict = {}
    for path in PAGES:
        for name, client in clients.items():
            page = client.get(path)
            assert page.status_code == 200, (path, name, page.status_code)
            html = page.get_data(as_text=True)
            shown = f">{expected[members[name]]} points<" if path == "/account" else \
                f">{expected[members[name]]}</strong>"
            assert shown in html, f"{path} of {name} does not show {shown}"
            for _ in range(WARMUP):
                client.get(path)
        times: dict[str, list[float]] = {name: [] for name in clients}
        for _ in range(requests):  # interleaved: noise lands on both members alike
            for name, client in clients.items():
                started = time.perf_counter()
                response = client.get(path)
                times[name].append(time.perf_counter() - started)
                assert response.status_code == 200
        statements = StatementLog(_engine(app))
        try:
            per_member = {}
            for name, client in clients.items():
                statements.rows.clear()
                statements.active = True
                client.get(path)
                statements.active = False
                per_member[name] = list(statements.rows)
        finally:
            statements.close()
        slowest = sorted(per_member["big"], key=lambda r: r[0], reverse=True)[:2]
        results[path] = {
            name: {"median_ms": statistics.median(ts) * 1000,
                   "p95_ms": percentile(ts, 95) * 1000,
                   "queries": len(per_member[name]),
                   "sql_ms": sum(r[0] for r in per_member[name]) * 1000}
            for name, ts in times.items()}
        results[path]["ratio"] = (results[path]["big"]["median_ms"]
                                  / results[path]["empty"]["median_ms"])
        results[path]["slowest_sql_big"] = [
            {"ms": t * 1000, "sql": " ".join(sql.split()), "plan": explain(app, sql, params)}
            for t, sql, params in slowest]
        expiry = [(sql, params) for _, sql, params in per_member["big"]
                  if "FROM points_lot" in sql and "GROUP BY points_lot.expires_at" in sql]
        if other_plan and expiry:
            # ledger.next_expiry() for the big member, when the planner walks the lots in
            # expiry order (ix_points_lot_expires_at) instead of the member's lots
            # (ix_points_lot_user_id). Which one it picks depends on the statistics.
            results[path]["next_expiry_other_plan"] = explain(
                app, *expiry[0], without_index="ix_points_lot_user_id")
            results[path]["next_expiry_plan_choices"] = plan_choices(app, *expiry[0])
        log(f"{backend} {path}: big {results[path]['big']['median_ms']:.2f} ms, "
            f"empty {results[path]['empty']['median_ms']:.2f} ms")
    return results


# --------------------------------------------------------------------------- redemptions


def ledger_tables(book: Ledger, password_hash: str) -> list:
    """What bulk_load writes: members, then lots, accounts and entries (lots before the
    entries that point at them)."""
    return [("user_account", USER_COLUMNS, user_rows(book.budgets, password_hash)),
            ("points_lot", LOT_COLUMNS, book.lots),
            ("points_account", ACCOUNT_COLUMNS, book.accounts),
            ("points_entry", ENTRY_COLUMNS, book.entry_rows())]


def sample_backends(app, stop: threading.Event, counts: Counter) -> None:
    """What the shop's PostgreSQL backends are doing, sampled every 0.1 s: running, waiting
    for a lock, or waiting for the client (ClientRead: the Python side is the bottleneck)."""
    url = _engine(app).url
    dsn = f"host={url.host} port={url.port} user={url.username} dbname={url.database}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        while not stop.wait(0.1):
            for state, kind, name in conn.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND backend_type = 'client backend'"):
                counts[f"{state} / {kind or 'CPU'}:{name or '-'}"] += 1


def redemptions(app, members: list[int], seconds: float) -> dict:
    with app.app_context():
        cfg = points_config.current()
        for uid in members:
            ledger.grant(uid, GRANT_FOR_REDEEMING, "bonus", ledger.Who("benchmark"), cfg,
                         now=utcnow(), key=f"bench:{uid}")
        db.session.commit()
        db.session.remove()
    barrier = threading.Barrier(len(members) + 1)
    done = [0] * len(members)
    latencies: list[list[float]] = [[] for _ in members]
    failures: Counter = Counter()
    examples: dict[str, str] = {}
    lock = threading.Lock()
    stop_at = [0.0]

    def client(index: int, uid: int) -> None:
        first = 100_000_000 + uid * 100_000  # order ids no one else uses (keys are unique)
        order_ids = iter(range(first, first + 100_000))
        barrier.wait(timeout=60)
        while time.perf_counter() < stop_at[0]:
            order_id = next(order_ids)
            started = time.perf_counter()
            with app.app_context():
                try:
                    ledger.reserve(uid, REDEEM_POINTS, order_id, now=utcnow())
                    db.session.commit()
                    ledger.spend(order_id, now=utcnow())
                    db.session.commit()
                    done[index] += 1
                    latencies[index].append(time.perf_counter() - started)
                except Exception as exc:  # counted and reported, the run goes on
                    db.session.rollback()
                    reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:160]}"
                    with lock:
                        failures[reason] += 1
                        examples.setdefault(reason, traceback.format_exc(limit=3))
                finally:
                    db.session.remove()

    statements = StatementLog(_engine(app))
    statements.active = True
    waits: Counter = Counter()
    stop_sampling = threading.Event()
    sampler = threading.Thread(target=sample_backends, args=(app, stop_sampling, waits),
                               daemon=True)
    sampler.start()
    threads = [threading.Thread(target=client, args=(i, uid), daemon=True)
               for i, uid in enumerate(members)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.perf_counter() + seconds + 0.5  # after the barrier, below
    barrier.wait(timeout=60)
    started = time.perf_counter()
    stop_at[0] = started + seconds
    cpu_before = os.times()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - started
    cpu_after = os.times()
    cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    statements.active = False
    statements.close()
    stop_sampling.set()
    sampler.join(timeout=10)
    sampled = sum(waits.values())
    hung = sum(thread.is_alive() for thread in threads)
    everything = [x for per in latencies for x in per]
    total = sum(done)
    by_statement: dict[str, list] = {}
    for seconds_taken, sql, params in statements.rows:
        entry = by_statement.setdefault(sql, [0, 0.0, params])
        entry[0] += 1
        entry[1] += seconds_taken
    sql_total = sum(entry[1] for entry in by_statement.values())
    top = sorted(by_statement.items(), key=lambda item: item[1][1], reverse=True)[:6]
    profile = [{"sql": " ".join(sql.split()), "calls": calls, "total_s": spent,
                "mean_ms": spent / calls * 1000, "share": spent / sql_total if sql_total else 0,
                "plan": explain(app, sql, params)
                if sql.lstrip().upper().startswith("SELECT") else []}
               for sql, (calls, spent, params) in top]
    return {"clients": len(members), "seconds": elapsed, "redemptions": total,
            "per_second": total / elapsed, "failed": sum(failures.values()),
            "failures": dict(failures), "failure_examples": examples, "hung_threads": hung,
            "per_client_min": min(done), "per_client_max": max(done),
            "client_cpu_cores": cpu / elapsed,
            "backend_samples": {k: n / sampled for k, n in waits.most_common(6)},
            "statements_per_redemption": len(statements.rows) / total if total else None,
            "sql_seconds_total": sql_total, "sql_profile": profile,
            "latency_median_ms": statistics.median(everything) * 1000 if everything else None,
            "latency_p95_ms": percentile(everything, 95) * 1000 if everything else None}


def verify_every_member(app) -> dict:
    """For every member: the cached balance equals ledger_totals(), nothing is negative, and
    the lots hold what the account says."""
    started = time.perf_counter()
    bad: list[str] = []
    with app.app_context():
        accounts = {a.user_id: a for a in db.session.scalars(select(PointsAccount))}
        users = db.session.scalars(text("SELECT id FROM user_account ORDER BY id")).all()
        for uid in users:
            totals = ledger.ledger_totals(uid)
            a = accounts.get(uid)
            cached = (a.available, a.pending, a.reserved) if a else (0, 0, 0)
            if cached != (totals["available"], totals["pending"], totals["reserved"]):
                bad.append(f"member {uid}: cache {cached} != ledger {totals}")
            if min(cached) < 0:
                bad.append(f"member {uid}: negative {cached}")
        lots_off = db.session.scalar(text("""
            SELECT count(*) FROM points_account a LEFT JOIN (
              SELECT user_id,
                     sum(CASE WHEN state = 'available' THEN remaining ELSE 0 END) AS av,
                     sum(CASE WHEN state = 'pending' THEN remaining ELSE 0 END) AS pe
              FROM points_lot GROUP BY user_id) l ON l.user_id = a.user_id
            WHERE a.available != coalesce(l.av, 0) OR a.pending != coalesce(l.pe, 0)"""))
        db.session.remove()
    return {"members_checked": len(users), "cache_mismatches": bad[:10],
            "cache_mismatch_count": len(bad), "lot_mismatch_count": lots_off,
            "seconds": time.perf_counter() - started}


# --------------------------------------------------------------------------- report


def print_report(result: dict) -> None:
    m = result["machine"]
    print()
    print(f"Machine: {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}, "
          f"1-min load average {result['load_average_start'][0]:.2f} at the start, "
          f"{m['load_average'][0]:.2f} at the end")
    for backend, data in result["backends"].items():
        load = data["load"]
        print(f"{backend}: {load['entries']:,} entries, {load['lots']:,} lots, "
              f"{load['members']:,} members; big member {load['big_entries']:,} entries / "
              f"{load['big_lots']:,} lots; bulk load {data['load_seconds']:.1f} s; "
              f"indexes: points_entry {', '.join(load['entry_indexes'])}; "
              f"points_lot {', '.join(load['lot_indexes'])}")
    print()
    print("Part 1: page time (Flask test client, in process), "
          f"{result['requests']} requests per member after {WARMUP} warm-up")
    header = (f"{'backend':<11}{'page':<26}{'member':<7}{'median ms':>10}{'p95 ms':>9}"
              f"{'queries':>9}{'SQL ms':>8}{'big/empty':>11}")
    print(header)
    print("-" * len(header))
    measured = {backend: data["pages"] for backend, data in result["backends"].items()}
    if "experiment" in result:
        measured["pg+2 idx"] = result["experiment"]["pages"]
    for backend, pages in measured.items():
        for path in PAGES:
            page = pages[path]
            for name in ("big", "empty"):
                row = page[name]
                ratio = f"{page['ratio']:.2f}" if name == "big" else ""
                print(f"{backend:<11}{path:<26}{name:<7}{row['median_ms']:>10.2f}"
                      f"{row['p95_ms']:>9.2f}{row['queries']:>9}{row['sql_ms']:>8.2f}"
                      f"{ratio:>11}")
    if "experiment" in result:
        print("pg+2 idx: PostgreSQL after " + "; ".join(result["experiment"]["indexes"]))
    print()
    print("Slowest SQL statements of one request of the big member, with their plans:")
    for backend, pages in measured.items():
        for path in PAGES:
            for item in pages[path]["slowest_sql_big"]:
                print(f"{backend} {path}, big member, {item['ms']:.2f} ms: {item['sql'][:200]}")
                for line in item["plan"]:
                    print(f"    {line}")
    other = result["backends"].get("postgresql", {}).get("pages", {}).get(
        "/account", {}).get("next_expiry_other_plan")
    if other:
        print("postgresql /account, big member: ledger.next_expiry() with the plan the planner "
              "may pick instead (ix_points_lot_user_id dropped inside a rolled-back "
              "transaction):")
        for line in other:
            print(f"    {line}")
        choices = result["backends"]["postgresql"]["pages"]["/account"][
            "next_expiry_plan_choices"]
        print(f"  index PostgreSQL picks for it after {sum(choices.values())} fresh ANALYZE "
              "runs: " + ", ".join(f"{name} {n}x" for name, n in choices.items()))
    r = result["redemptions"]
    print()
    print(f"Part 2: redemptions on PostgreSQL, threads each on its own member, "
          f"reserve {REDEEM_POINTS} + commit + spend + commit")
    header = (f"{'clients':>8}{'seconds':>9}{'redemptions':>13}{'per second':>12}"
              f"{'median ms':>11}{'p95 ms':>9}{'failed':>8}{'client CPU':>12}")
    print(header)
    print("-" * len(header))
    for run in (result["redemptions_1"], r):
        print(f"{run['clients']:>8}{run['seconds']:>9.1f}{run['redemptions']:>13,}"
              f"{run['per_second']:>12.0f}{run['latency_median_ms']:>11.1f}"
              f"{run['latency_p95_ms']:>9.1f}{run['failed']:>8}"
              f"{run['client_cpu_cores']:>9.2f} cores")
    print(f"  {r['clients']} clients: per client {r['per_client_min']}..{r['per_client_max']} "
          f"redemptions, {r['hung_threads']} threads still running at the end")
    print(f"  {r['clients']} clients, what the shop's PostgreSQL backends were doing "
          "(pg_stat_activity every 0.1 s): " + ", ".join(
              f"{k} {share:.0%}" for k, share in r["backend_samples"].items()))
    print(f"  {r['statements_per_redemption']:.1f} SQL statements per redemption; "
          f"time in SQL (wall, summed over threads) {r['sql_seconds_total']:.1f} s; "
          "top statements:")
    for item in r["sql_profile"]:
        print(f"    {item['share']:5.1%} {item['calls']:>6} x {item['mean_ms']:6.2f} ms  "
              f"{item['sql'][:150]}")
        for line in item["plan"]:
            print(f"          {line}")
    print(f"  failed: {r['failed']}" + "".join(f"\n    {n} x {why}"
                                                for why, n in r["failures"].items()))
    for why, example in r["failure_examples"].items():
        print(f"  first failure of kind {why!r}:\n{example}")
    v = result["verification"]
    print(f"  cache == ledger_totals() for {v['members_checked']:,} members: "
          f"{'yes' if not v['cache_mismatch_count'] else 'NO'} "
          f"({v['cache_mismatch_count']} mismatches, lots off: {v['lot_mismatch_count']}, "
          f"{v['seconds']:.1f} s)")
    for line in v["cache_mismatches"]:
        print(f"    {line}")
    print()
    print("Goals:")
    for backend, data in result["backends"].items():
        ratio = data["pages"]["/account"]["ratio"]
        print(f"  GET /account big/empty <= {ACCOUNT_GOAL} on {backend}: {ratio:.2f} "
              f"{'met' if ratio <= ACCOUNT_GOAL else 'MISSED'}")
    failed = r["failed"] + result["redemptions_1"]["failed"]
    print(f"  no redemption fails: {'met' if not failed else 'MISSED'} ({failed})")
    print(f"  cache equals ledger: {'met' if not v['cache_mismatch_count'] else 'MISSED'}")
    print(f"Total run time {result['total_seconds']:.0f} s")


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seed", type=int, default=20240601)
    args = parser.parse_args()
    begun = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="bench-points-"))
    cluster = None
    result: dict = {"requests": args.requests, "entries": args.entries, "backends": {},
                    "load_average_start": os.getloadavg()}
    try:
        log(f"simulating a ledger of {args.entries:,} entries")
        book = Ledger(args.seed, args.entries, datetime.now(UTC).timestamp())
        book.build()
        password_hash = hash_password(PASSWORD)
        expected = {uid: av for uid, av, *_ in book.accounts}
        expected[EMPTY_ID] = 0
        log(f"{len(book.entries):,} entries, {len(book.lots):,} lots, "
            f"{len(book.accounts):,} accounts")

        log("SQLite: migrate, load")
        app = prepare_shop(f"sqlite:///{tmp / 'shop.sqlite3'}", tmp / "sqlite-instance",
                           ("points",))
        seconds = bulk_load(app, ledger_tables(book, password_hash))
        load = check_load(app, book)
        log(f"SQLite loaded in {seconds:.1f} s; timing pages")
        pages = measure_pages(app, "sqlite", args.requests, expected)
        result["backends"]["sqlite"] = {"load": load, "load_seconds": seconds, "pages": pages}
        with app.app_context():
            db.session.remove()
            db.engine.dispose()

        log("PostgreSQL: start a throwaway cluster, migrate, load")
        cluster = postgres.start_cluster()
        with psycopg.connect(f"host=127.0.0.1 port={cluster.port} user=postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE bench_points")
            version = conn.execute("SHOW server_version").fetchone()[0]
        pool = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": args.clients + 4,
                                              "max_overflow": 10}}
        app = prepare_shop(f"{cluster.url}/bench_points", tmp / "pg-instance", ("points",),
                           **pool)
        seconds = bulk_load(app, ledger_tables(book, password_hash))
        load = check_load(app, book)
        log(f"PostgreSQL {version} loaded in {seconds:.1f} s; timing pages")
        pages = measure_pages(app, "postgresql", args.requests, expected, other_plan=True)
        result["backends"]["postgresql"] = {"load": load, "load_seconds": seconds,
                                            "pages": pages, "server_version": version}
        del book  # the simulated ledger is not needed any more

        members = list(range(FIRST_OTHER_ID, FIRST_OTHER_ID + args.clients))
        solo = min(3.0, args.seconds)
        log(f"PostgreSQL: 1 client redeeming for {solo:.0f} s (the yardstick)")
        result["redemptions_1"] = redemptions(app, [FIRST_OTHER_ID + args.clients], solo)
        log(f"PostgreSQL: {args.clients} clients redeeming for {args.seconds:.0f} s")
        result["redemptions"] = redemptions(app, members, args.seconds)
        log("verifying every member's cache against the ledger")
        result["verification"] = verify_every_member(app)

        log("PostgreSQL: the same pages with two more indexes (an experiment)")
        with app.app_context():
            for statement in SUGGESTED_INDEXES:
                db.session.execute(text(statement))
            db.session.commit()
            db.session.execute(text("ANALYZE points_lot"))
            db.session.execute(text("ANALYZE points_entry"))
            db.session.commit()
            db.session.remove()
        result["experiment"] = {"indexes": list(SUGGESTED_INDEXES), "pages": measure_pages(
            app, "pg+2 idx", args.requests, expected)}
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    result["machine"] = machine()
    result["total_seconds"] = time.perf_counter() - begun
    print_report(result)
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_points.json").write_text(json.dumps(result, indent=2, default=str))
    r, v = result["redemptions"], result["verification"]
    met = (all(d["pages"]["/account"]["ratio"] <= ACCOUNT_GOAL
               for d in result["backends"].values())
           and not r["failed"] and not result["redemptions_1"]["failed"]
           and not v["cache_mismatch_count"])
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
