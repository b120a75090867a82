"""What moving plugin reactions out of the request into a worker (issue 14) costs and gains:
this tree against the commit before the events work, in one run.

    PYTHONPATH=$PWD .venv/bin/python bench/bench_worker.py [--base REV] [--orders 200]
        [--clients 16] [--worker-orders 200] [--rounds 1] [--wait-quiet 10] [--no-redis]
        [--no-sqlite] [--no-postgres] [--keep]

``--base`` (default: the parent of the commit "Domain events in a transactional outbox",
0c5150a) is extracted with git archive into a temporary folder: "before" runs that code,
"after" this tree, both with this virtual environment's packages. Every shop is a fresh
`storefront demo --no-serve` database (all built-in plugins on: points, tiers, cards, events,
community), with --orders + 2 x --clients members bulk loaded, each with a session of its own
(cookie signed with the bench key: no argon2 log-in), a cart with one coffee put in through the
shop's own cart page, and the checkout form read from GET /checkout (CSRF token, checkout
token, expected total). That preparation runs untimed, in a subprocess on the tree under test
(its Flask test client). The shop: gunicorn, 2 sync workers (with the tree's `storefront
serve` settings, storefront/gunicorn_conf.py, when it has them), ENV_NAME=production, on
127.0.0.1, on SQLite (the shop's WAL pragmas) or on a throwaway PostgreSQL cluster
(tests/support/postgres.py: fsync off); bank transfer, so no Stripe; mail to files.

1. Requests/s, per database, before and after: --clients threads (16) send POSTs as fast as
   the shop answers, each from the next member's (or staff) session, a new connection each:
   a. POST /checkout, --orders of them: each places an order, awaiting payment;
   b. POST /admin/orders/<id>/mark-paid for those orders from --clients staff sessions: the
      request whose reactions (points earned, tier, card, event tickets, "paid" mail) ran
      inside it before.
   Before: reactions in the request. After: the request writes the event and its delivery
   rows and tells the queue; `storefront worker` (2 threads, WORKER_QUEUE a SQLite file)
   delivers them meanwhile, on the same 2 CPUs. Also after, no worker running (it delivers
   the backlog once the load is over): what the request itself costs; and on PostgreSQL, with
   a Redis queue (a redis-server of our own; when /usr/bin/redis-server exists, unless
   --no-redis). 2 x --clients warm-up orders, placed and paid, go first. Requests/s = POSTs /
   (first sent to last answered); latency p50/p99 as the client saw it. Every answer must be
   303 to the order's page. The issue's goal: checkout after >= 0.95 x before. CPU ms per
   request, which other programs' load changes far less than requests/s: the gunicorn
   workers' during the load, the worker's and PostgreSQL's (with the worker's queries) until
   the backlog is done (from /proc: a process and its children).
2. The worker's throughput, per database (after only): --worker-orders orders placed and paid
   through gunicorn with no worker running; gunicorn stopped; an aiosmtpd server on
   127.0.0.1; then `storefront worker` with MAIL_BACKEND=smtp, timed from its first line to
   every delivery done, every message sent and each received by the SMTP server. Events/s
   counts the events with deliveries (order placed: shop messages + points; order paid: shop
   + points + tiers + cards + events; community reacts to neither), deliveries/s each (event,
   consumer), mails/s the messages ("order received" and "paid").
3. Lag under the load of 1 (after, worker running): event.occurred_at (written in the
   request's transaction) to event_delivery.done_at, per delivery, p50 and p99, for the
   events of 1a (order placed) and of 1b (order paid). When the worker delivers more slowly
   than the requests come, the lag grows with the length of the load (--orders); "backlog
   left" is how long the worker went on after the last request.

Before each timed phase the run waits up to --wait-quiet seconds for an idle machine, and it
shows the share of the CPUs other programs used during each phase (not ours: gunicorn, the
worker, PostgreSQL, this process). Prints a table (scenario, before, after, ratio = after /
before), the checks and the goal; writes bench/out/bench_worker.json; exits 1 when a check
fails (an answer other than 303 to the right page, an order not paid once, a missing "earn"
points entry, a delivery not done or a message not sent after, a reaction left to the retry
job before). Stops every process it started and removes its temporary folder, also on
failure. About 5 minutes with the defaults on an idle 2-CPU machine (more when it waits
for other programs); every wait has a deadline.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

from bench_contract import git
from bench_pages import (
    CSRF_RE,
    SKU_RE,
    CpuMeter,
    Server,
    _children,
    _process_jiffies,
    clean_env,
    free_port,
    request,
    start_gunicorn,
    wait_quiet,
    wait_ready,
)
from benchlib import OUT, SECRET, bulk_load, log, machine, make_app, percentile

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
PRODUCT = "ethiopia-yirgacheffe"
REDIS = Path("/usr/bin/redis-server")
STAFF_EMAIL = "staff@demo.shop"  # from `storefront demo`
USER_COLUMNS = ("id", "email", "name", "password_hash", "role", "session_token",
                "email_verified_at", "marketing_opt_out", "created_at")
GOAL = 0.95  # checkout POST/s after >= 0.95 x before
DRAIN_TIMEOUT = 300.0
REQUEST_TIMEOUT = 60.0


def field_value(html: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
    if match is None:
        raise AssertionError(f"no {name} field in the page")
    return match.group(1)


# --------------------------------------------------------------------------- preparation
# Runs in a subprocess whose PYTHONPATH is the tree under test: `storefront` is that tree's.


def prepare(spec_path: str) -> int:
    from sqlalchemy import text

    from storefront.accounts.passwords import hash_password
    from storefront.cli import main as storefront_cli
    from storefront.extensions import db

    spec = json.loads(Path(spec_path).read_text())
    instance = Path(spec["instance"])
    app = make_app(spec["url"], instance, Path(spec["content"]), WORKER_QUEUE="memory")
    result = app.test_cli_runner().invoke(storefront_cli, ["demo", "--no-serve"])
    if result.exit_code != 0:
        raise RuntimeError(f"storefront demo --no-serve failed:\n{result.output}") \
            from result.exception
    with app.app_context():
        if spec["plugins"] is not None:  # the plugins both trees have, and no other
            from storefront.plugins.state import set_enabled
            for name in plugin_entry_points():
                set_enabled(name, name in spec["plugins"], actor="bench")
        # The scheduled jobs now, not during the load: the events plugin's invitations (every
        # 15 minutes) write a message to every member; this tree's are sent here (to files).
        # Through the command, which every tree has wherever its jobs module lives; a job
        # that fails here is the tree's own business, as before the load.
        app.test_cli_runner().invoke(storefront_cli, ["jobs", "run"])
        work = app.extensions.get("storefront.queue")
        work = getattr(work, "queue", work)  # opened on first use in newer trees
        if work is not None:
            work.drain()
        if work is not None and spec["plugins"] is not None:
            # What the demo's events left for the plugins now switched off, as staff would.
            db.session.execute(text("UPDATE event_delivery SET status = 'dismissed' "
                                    "WHERE status IN ('pending', 'failed')"))
        db.session.execute(text("UPDATE product SET stock = 1000000 WHERE slug = :s"),
                           {"s": PRODUCT})
        staff = db.session.execute(text("SELECT id, session_token FROM user_account "
                                        "WHERE email = :e"), {"e": STAFF_EMAIL}).one()
        first = db.session.scalar(text("SELECT max(id) FROM user_account")) + 1
        db.session.commit()
    now = datetime.now(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    password = hash_password(secrets.token_urlsafe(16))  # nobody logs in with it
    tokens = {first + i: secrets.token_urlsafe(16) for i in range(spec["members"])}
    bulk_load(app, [("user_account", USER_COLUMNS, [
        (uid, f"bench{uid}@example.com", f"Bench Member {uid}", password, "customer", token,
         now, False, now) for uid, token in tokens.items()])])

    def client_of(uid: int, token: str):
        client = app.test_client()
        with client.session_transaction() as session:  # as a "remember me" log-in leaves it
            session["_user_id"], session["_fresh"] = f"{uid}:{token}", False
        return client

    def cookie(client) -> str:
        return f"session={client.get_cookie('session').value}"

    members = []
    for uid, token in tokens.items():
        client = client_of(uid, token)
        page = client.get(f"/products/{PRODUCT}").get_data(as_text=True)
        token = CSRF_RE.search(page)  # the form's token in older trees, its Origin in newer
        added = client.post("/cart/add", data={"sku": SKU_RE.search(page).group(1),
                                               "quantity": "1",
                                               "csrf_token": token.group(1) if token else ""},
                            headers={"Origin": "http://localhost"})
        assert added.status_code == 303, f"add to cart: {added.status_code}"
        form = client.get("/checkout")
        assert form.status_code == 200, f"GET /checkout: {form.status_code}"
        html = form.get_data(as_text=True)
        members.append({"cookie": cookie(client), "form": {
            "csrf_token": field_value(html, "csrf_token"),
            "checkout_token": field_value(html, "checkout_token"),
            "expected_total": field_value(html, "expected_total"),
            "name": f"Bench Member {uid}", "address": "Calle Mayor 1, Madrid"}})
    staff_sessions = []
    for _ in range(spec["staff"]):
        client = client_of(staff.id, staff.session_token)
        page = client.get("/admin/orders")
        assert page.status_code == 200, f"GET /admin/orders as staff: {page.status_code}"
        staff_sessions.append({"cookie": cookie(client),
                               "csrf": CSRF_RE.search(page.get_data(as_text=True)).group(1)})
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    Path(spec["out"]).write_text(json.dumps({"members": members, "staff": staff_sessions}))
    return 0


# --------------------------------------------------------------------------- the database


class Database:
    """The parent's own look at a shop database (read-only queries)."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.pool import NullPool

        self.url = url
        self.engine = create_engine(url, poolclass=NullPool)

    def scalar(self, sql: str, **params):
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()

    def has_table(self, name: str) -> bool:
        from sqlalchemy import inspect

        return inspect(self.engine).has_table(name)

    def rows(self, sql: str, **params) -> list:
        from sqlalchemy import text

        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).all()

    def open_work(self) -> tuple[int, int]:
        """Deliveries and messages not yet done."""
        return (self.scalar("SELECT count(*) FROM event_delivery "
                            "WHERE status IN ('pending', 'failed')"),
                self.scalar("SELECT count(*) FROM notification "
                            "WHERE status IN ('pending', 'failed')"))

    def lags(self, after_event: int, upto_event: int) -> list[float]:
        def moment(value) -> datetime:
            return value if isinstance(value, datetime) else datetime.fromisoformat(value)

        rows = self.rows("SELECT e.occurred_at, d.done_at FROM event_delivery d "
                         "JOIN domain_event e ON e.id = d.event_id "
                         "WHERE e.id > :lo AND e.id <= :hi AND d.status = 'done'",
                         lo=after_event, hi=upto_event)
        return [(moment(done) - moment(occurred)).total_seconds() for occurred, done in rows]

    def close(self) -> None:
        self.engine.dispose()


# --------------------------------------------------------------------------- processes


class Processes:
    """Everything this run started, stopped in reverse order (also on failure)."""

    def __init__(self):
        self.running: list[Server] = []

    def start(self, name: str, argv: list[str], env: dict, cwd: Path, log_path: Path) -> Server:
        with open(log_path, "wb") as out:
            process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                                       stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        server = Server(name, 0, process, log_path)
        self.running.append(server)
        return server

    def add(self, server: Server) -> Server:
        self.running.append(server)
        return server

    def stop(self, server: Server) -> None:
        server.stop()
        if server in self.running:
            self.running.remove(server)

    def stop_all(self) -> None:
        while self.running:
            self.stop(self.running[-1])


def tree_env(tree: Path, url: str, instance: Path, queue: str, **settings: str) -> dict:
    return clean_env() | {
        "PYTHONPATH": str(tree), "DATABASE_URL": url,
        "STOREFRONT_ENV_NAME": "production", "STOREFRONT_SECRET_KEY": SECRET,
        "STOREFRONT_BASE_URL": "http://127.0.0.1",
        "STOREFRONT_CONTENT_DIR": str(tree / "content"),
        "STOREFRONT_MAIL_BACKEND": "file", "STOREFRONT_MAIL_FILE_DIR": str(instance / "mail"),
        "STOREFRONT_WORKER_QUEUE": queue,
        **{f"STOREFRONT_{k}": v for k, v in settings.items()}}


def start_shop(procs: Processes, name: str, tree: Path, env: dict, folder: Path) -> Server:
    """gunicorn with the tree's `storefront serve` settings, if it has them."""
    serve = (["--config", "python:storefront.gunicorn_conf"]
             if (tree / "storefront" / "gunicorn_conf.py").exists() else [])
    server = procs.add(start_gunicorn(name, f"storefront:create_app(instance_path="
                                            f"{str(folder / 'instance')!r})",
                                      env, folder, serve, cwd=tree))
    wait_ready(server, f"/products/{PRODUCT}", timeout=60)
    return server


def start_worker(procs: Processes, tree: Path, env: dict, folder: Path) -> Server:
    worker = procs.start("worker", [sys.executable, "-m", "storefront.cli", "worker"], env,
                         tree, folder / "worker.log")
    deadline = time.monotonic() + 60
    while b"worker:" not in worker.log.read_bytes():
        if worker.process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the worker did not start:\n{worker.log.read_text()}")
        time.sleep(0.02)
    return worker


def has_worker(tree: Path) -> bool:
    """Whether the tree delivers reactions in a worker (a --base at or after the outbox)."""
    return any((tree / "storefront" / name).exists() for name in ("worker", "worker.py"))


def postmaster(cluster, backend: str):
    """The PostgreSQL cluster as CpuMeter counts a server: its first process and children."""
    if backend != "postgresql":
        return None
    pid = int((cluster.root / "data" / "postmaster.pid").read_text().split()[0])
    return SimpleNamespace(process=SimpleNamespace(pid=pid))


def cpu_seconds(server) -> float:
    """CPU time of a process and its children (gunicorn's workers, PostgreSQL's backends)."""
    if server is None:
        return 0.0
    pid = server.process.pid
    return sum(_process_jiffies(p) for p in (pid, *_children(pid))) / CLK_TCK


# --------------------------------------------------------------------------- load


def blast(port: int, jobs: list[tuple[str, str, dict, str]], clients: int) -> dict:
    """POST each (path, cookie, form, expected Location start) once, from ``clients``
    threads taking the next job until none is left."""
    lock = threading.Lock()
    pending = iter(jobs)
    latencies: list[float] = []
    failures: list[str] = []
    start = threading.Barrier(clients + 1)

    def client() -> None:
        start.wait()
        while True:
            with lock:
                job = next(pending, None)
            if job is None:
                return
            path, cookie, form, expected = job
            began = time.perf_counter()
            try:
                status, headers, _ = request(port, "POST", path, cookie=cookie, form=form,
                                             timeout=REQUEST_TIMEOUT)
            except OSError as exc:
                failures.append(f"{path}: {exc}")
                continue
            took = time.perf_counter() - began
            location = headers.get("Location", "")
            with lock:
                latencies.append(took)
                if status != 303 or not urlsplit(location).path.startswith(expected):
                    failures.append(f"{path}: {status} -> {location}")

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT * len(jobs))
    seconds = time.perf_counter() - began
    return {"requests": len(jobs), "seconds": seconds, "per_second": len(jobs) / seconds,
            "p50_ms": percentile(latencies, 50) * 1000 if latencies else 0.0,
            "p99_ms": percentile(latencies, 99) * 1000 if latencies else 0.0,
            "failures": len(failures), "failure_examples": failures[:3]}


def checkout_jobs(members: list[dict]) -> list[tuple[str, str, dict, str]]:
    return [("/checkout", m["cookie"], m["form"], "/orders/") for m in members]


def paid_jobs(database: Database, staff: list[dict], count: int) -> list[tuple]:
    ids = [row[0] for row in database.rows(
        "SELECT id FROM shop_order WHERE status = 'awaiting_payment' ORDER BY id")][:count]
    return [(f"/admin/orders/{oid}/mark-paid", staff[i % len(staff)]["cookie"],
             {"csrf_token": staff[i % len(staff)]["csrf"]}, f"/admin/orders/{oid}")
            for i, oid in enumerate(ids)]


def drain(database: Database, worker: Server | None) -> float:
    """Seconds until the worker has done every delivery and sent every message."""
    began = time.perf_counter()
    deadline = began + DRAIN_TIMEOUT
    while worker is not None and any(database.open_work()):
        if time.perf_counter() > deadline or worker.process.poll() is not None:
            raise RuntimeError(f"the worker left work undone after {DRAIN_TIMEOUT:.0f} s: "
                               f"{database.open_work()}\n{worker.log.read_text()[-3000:]}")
        time.sleep(0.05)
    return time.perf_counter() - began


def last_event(database: Database, events: bool) -> int:
    return database.scalar("SELECT coalesce(max(id), 0) FROM domain_event") if events else 0


# --------------------------------------------------------------------------- scenarios


@contextlib.contextmanager
def shop_database(backend: str, cluster, folder: Path, name: str):
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'shop.sqlite3'}"
    else:
        with cluster.database(name) as url:
            yield url


def prepare_shop_in(tree: Path, url: str, folder: Path, members: int, staff: int,
                    plugins: list[str] | None) -> dict:
    spec = folder / "prepare.json"
    out = folder / "prepared.json"
    spec.write_text(json.dumps({"url": url, "instance": str(folder / "instance"),
                                "content": str(tree / "content"), "members": members,
                                "staff": staff, "out": str(out), "plugins": plugins}))
    result = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--prepare",
                             str(spec)], cwd=tree, env=clean_env() | {"PYTHONPATH": str(tree)},
                            capture_output=True, text=True, timeout=900)
    if result.returncode != 0:
        raise RuntimeError(f"preparing the shop in {tree} failed:\n{result.stdout[-3000:]}"
                           f"{result.stderr[-3000:]}")
    return json.loads(out.read_text())


def load_scenario(procs: Processes, kind: str, tree: Path, backend: str, cluster,
                  folder: Path, args, queue: str) -> dict:
    """Part 1 (and 3): warm-up, then the checkout and the mark-paid phases. ``kind``:
    before (the base: reactions in the request, or no worker until the load is over if the
    base has one), after (a worker delivers during the load), after-idle (this tree, no
    worker until the load is over: what the request itself costs)."""
    after = kind != "before"
    warm = 2 * args.clients
    folder.mkdir(parents=True)
    with shop_database(backend, cluster, folder, folder.name.replace("-", "_")) as url:
        log(f"{folder.name}: preparing {args.orders + warm} members with a cart")
        prepared = prepare_shop_in(tree, url, folder, args.orders + warm, args.clients,
                                   args.plugins)
        database = Database(url)
        try:
            env = tree_env(tree, url, folder / "instance", queue)
            shop = start_shop(procs, folder.name, tree, env, folder)
            worker = (start_worker(procs, tree, env, folder)
                      if after and kind != "after-idle" else None)
            log(f"{folder.name}: warm-up, {warm} orders placed and paid")
            members = prepared["members"]
            blast(shop.port, checkout_jobs(members[:warm]), args.clients)
            blast(shop.port, paid_jobs(database, prepared["staff"], warm), args.clients)
            drain(database, worker)
            phases = {}
            for phase in ("checkout", "mark-paid"):
                jobs = (checkout_jobs(members[warm:]) if phase == "checkout"
                        else paid_jobs(database, prepared["staff"], args.orders))
                first = last_event(database, after)
                quiet = wait_quiet(args.wait_quiet) if args.wait_quiet else None
                pg = postmaster(cluster, backend)
                cpu = [cpu_seconds(p) for p in (shop, worker, pg)]
                with CpuMeter([p for p in (shop, worker, pg) if p]) as meter:
                    result = blast(shop.port, jobs, args.clients)
                shop_cpu = cpu_seconds(shop) - cpu[0]
                result["others_cpu"], result["quiet_before"] = meter.other, quiet
                result["drain_s"] = drain(database, worker)
                result["worker_cpu_s"] = cpu_seconds(worker) - cpu[1]
                # CPU per request, which other programs' load hardly changes: the gunicorn
                # workers during the load; the worker and PostgreSQL until the backlog is done.
                result["cpu_ms"] = {name: seconds / len(jobs) * 1000 for name, seconds in (
                    ("gunicorn", shop_cpu), ("worker", result["worker_cpu_s"]),
                    ("postgresql", cpu_seconds(pg) - cpu[2])) if seconds or name == "gunicorn"}
                if worker is not None:
                    lags = database.lags(first, last_event(database, after))
                    result["deliveries"] = len(lags)
                    result["lag_p50_ms"] = percentile(lags, 50) * 1000 if lags else None
                    result["lag_p99_ms"] = percentile(lags, 99) * 1000 if lags else None
                phases[phase] = result
                log(f"{folder.name}: {phase}: {result['per_second']:.1f}/s, p50 "
                    f"{result['p50_ms']:.0f} ms, p99 {result['p99_ms']:.0f} ms, failures "
                    f"{result['failures']}, drain {result['drain_s']:.1f} s")
            procs.stop(shop)
            if worker is None and has_worker(tree):  # the backlog, for the checks to see
                worker = start_worker(procs, tree, env, folder)
                drain(database, worker)
            if worker is not None:
                procs.stop(worker)
            checks = verify(database, after, args.orders + warm)
        finally:
            database.close()
    return {"phases": phases, "checks": checks}


def verify(database: Database, after: bool, orders: int) -> dict[str, bool]:
    paid = database.scalar("SELECT count(*) FROM shop_order WHERE status = 'paid'")
    earned = database.scalar("SELECT count(*) FROM points_entry WHERE key LIKE 'earn:%'")
    checks = {f"{orders} orders paid": paid == orders,
              "one earn points entry per paid order": earned == paid}
    if after:
        states = dict(database.rows("SELECT status, count(*) FROM event_delivery "
                                    "GROUP BY status"))
        sent = dict(database.rows("SELECT status, count(*) FROM notification GROUP BY status"))
        # "dismissed": the demo's deliveries to the plugins switched off for the comparison
        checks["every delivery done"] = "done" in states and set(states) <= {"done",
                                                                             "dismissed"}
        checks["every message sent"] = set(sent) <= {"sent", "suppressed"}
    elif database.has_table("failed_reaction"):  # a --base with the outbox has none
        checks["no reaction left to the retry job"] = not database.scalar(
            "SELECT count(*) FROM failed_reaction")
    return checks


class Inbox:
    """An SMTP server on 127.0.0.1 that counts what it receives (aiosmtpd)."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received = 0
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.received += 1
        return "250 OK"

    def stop(self) -> None:
        self.controller.stop()


def worker_scenario(procs: Processes, backend: str, cluster, folder: Path, args) -> dict:
    """Part 2: a backlog of --worker-orders placed and paid orders, then the worker alone."""
    folder.mkdir(parents=True)
    with shop_database(backend, cluster, folder, folder.name.replace("-", "_")) as url:
        log(f"{folder.name}: preparing {args.worker_orders} members with a cart")
        prepared = prepare_shop_in(ROOT, url, folder, args.worker_orders, args.clients,
                                   args.plugins)
        database = Database(url)
        inbox = None
        try:
            queue = f"sqlite:///{folder / 'queue.sqlite3'}"
            shop = start_shop(procs, folder.name, ROOT,
                              tree_env(ROOT, url, folder / "instance", queue), folder)
            log(f"{folder.name}: placing and paying {args.worker_orders} orders, no worker")
            blast(shop.port, checkout_jobs(prepared["members"]), args.clients)
            blast(shop.port, paid_jobs(database, prepared["staff"], args.worker_orders),
                  args.clients)
            procs.stop(shop)
            events = database.scalar("SELECT count(DISTINCT event_id) FROM event_delivery "
                                     "WHERE status = 'pending'")
            deliveries = database.scalar("SELECT count(*) FROM event_delivery "
                                         "WHERE status = 'pending'")
            sent_before = database.scalar("SELECT count(*) FROM notification "
                                          "WHERE status = 'sent'")  # in the preparation
            inbox = Inbox()
            env = tree_env(ROOT, url, folder / "instance", queue, MAIL_BACKEND="smtp",
                           SMTP_HOST="127.0.0.1", SMTP_PORT=str(inbox.port))
            log(f"{folder.name}: worker started on {events} events, {deliveries} deliveries")
            worker = start_worker(procs, ROOT, env, folder)
            began = time.perf_counter()
            cpu = cpu_seconds(worker)
            deadline = began + DRAIN_TIMEOUT
            while True:
                open_deliveries, open_messages = database.open_work()
                messages = database.scalar("SELECT count(*) FROM notification "
                                           "WHERE status = 'sent'") - sent_before
                if not open_deliveries and not open_messages and inbox.received >= messages:
                    break
                if time.perf_counter() > deadline or worker.process.poll() is not None:
                    raise RuntimeError(f"the worker did not finish: {open_deliveries} "
                                       f"deliveries, {open_messages} messages open\n"
                                       f"{worker.log.read_text()[-3000:]}")
                time.sleep(0.02)
            seconds = time.perf_counter() - began
            worker_cpu = cpu_seconds(worker) - cpu
            procs.stop(worker)
            checks = verify(database, True, args.worker_orders)
            checks["every message received by the SMTP server"] = inbox.received == messages
        finally:
            if inbox is not None:
                inbox.stop()
            database.close()
    return {"events": events, "deliveries": deliveries, "messages": messages,
            "seconds": seconds, "worker_cpu_s": worker_cpu,
            "events_per_second": events / seconds, "deliveries_per_second": deliveries / seconds,
            "messages_per_second": messages / seconds, "checks": checks}


# --------------------------------------------------------------------------- report


def median_of(runs: list[dict], phase: str, key: str) -> float | None:
    values = [run["phases"][phase][key] for run in runs
              if run["phases"][phase].get(key) is not None]
    return statistics.median(values) if values else None


def cpu_ms_of(runs: list[dict], phase: str, part: str) -> float | None:
    values = [run["phases"][phase]["cpu_ms"][part] for run in runs
              if part in run["phases"][phase]["cpu_ms"]]
    return statistics.median(values) if values else None


NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def table(result: dict) -> list[str]:
    lines = [f"{'scenario':<50}{'before':>10}{'after':>10}{'ratio':>8}"]

    def row(label: str, before: float | None, after: float | None, digits: int = 1) -> None:
        shown = [f"{v:>10.{digits}f}" if v is not None else f"{'-':>10}" for v in (before, after)]
        ratio = f"{after / before:>8.2f}" if before and after is not None else f"{'-':>8}"
        lines.append(f"  {label:<48}{shown[0]}{shown[1]}{ratio}")

    for backend in [b for b in NAMES if b in result["load"] or b in result["worker"]]:
        lines.append(NAMES[backend])
        runs = result["load"].get(backend, {})
        for phase, label in (("checkout", "checkout POST"), ("mark-paid", "mark-paid POST")):
            if not runs.get("before"):
                continue
            for key, unit in (("per_second", "/s"), ("p50_ms", " p50 ms"), ("p99_ms", " p99 ms")):
                row(f"{label}{unit}", median_of(runs["before"], phase, key),
                    median_of(runs["after"], phase, key))
            for part in ("gunicorn", "worker", "postgresql"):
                before, after = (cpu_ms_of(runs[kind], phase, part) for kind in ("before",
                                                                                 "after"))
                if before or after:
                    row(f"  CPU ms per request, {part}", before, after)
            for kind, note in (("after-idle", "no worker running"),
                               ("after-redis", "Redis queue")):
                if runs.get(kind):
                    row(f"{label}/s, after: {note}",
                        median_of(runs["before"], phase, "per_second"),
                        median_of(runs[kind], phase, "per_second"))
                    row("  CPU ms per request, gunicorn",
                        cpu_ms_of(runs["before"], phase, "gunicorn"),
                        cpu_ms_of(runs[kind], phase, "gunicorn"))
        for kind, queue in (("after", ""), ("after-redis", ", Redis queue")):
            for phase, label in (("checkout", "placed"), ("mark-paid", "paid")):
                if not runs.get(kind):
                    continue
                for key, p in (("lag_p50_ms", "p50"), ("lag_p99_ms", "p99")):
                    row(f"lag {p} ms, order {label}{queue}", None,
                        median_of(runs[kind], phase, key))
                row(f"backlog left after the load, s, {label}{queue}", None,
                    median_of(runs[kind], phase, "drain_s"), 2)
        if backend in result["worker"]:
            run = result["worker"][backend]
            row(f"worker events/s ({run['events']} events)", None, run["events_per_second"])
            row(f"worker deliveries/s ({run['deliveries']})", None,
                run["deliveries_per_second"])
            row(f"worker mails/s via SMTP ({run['messages']})", None,
                run["messages_per_second"])
            row("  worker CPU ms per delivery (with its mail)", None,
                run["worker_cpu_s"] / run["deliveries"] * 1000, 2)
    return lines


def print_report(result: dict) -> None:
    m = result["machine"]
    print()
    print(f"before: {result['base']}   after: {result['head']}   {m['nproc']} CPUs "
          f"({m['cpu']}), Python {m['python']}; load average at the end "
          f"{m['load_average'][0]:.2f}")
    print(f"{result['args']['clients']} clients, {result['args']['orders']} orders per phase, "
          f"{result['args']['rounds']} round(s) (median); gunicorn 2 sync workers; worker "
          f"2 threads; ratio = after / before")
    print()
    for line in table(result):
        print(line)
    print()
    for backend, runs in result["load"].items():
        for kind, kind_runs in runs.items():
            for run in kind_runs:
                for phase, r in run["phases"].items():
                    extra = (f", worker CPU {r['worker_cpu_s']:.1f} s" if r["worker_cpu_s"]
                             else "")
                    print(f"  {backend} {kind} {phase}: {r['requests']} requests in "
                          f"{r['seconds']:.1f} s, {r['failures']} failed{extra}, other "
                          f"programs {r['others_cpu']:.0%} of the CPUs"
                          f"{' (machine not idle before)' if r['quiet_before'] is False else ''}"
                          + (f" e.g. {r['failure_examples'][0]}" if r["failures"] else ""))
    for backend, run in result["worker"].items():
        print(f"  {backend} worker: {run['events']} events, {run['deliveries']} deliveries, "
              f"{run['messages']} mails in {run['seconds']:.1f} s (from its first line), "
              f"worker CPU {run['worker_cpu_s']:.1f} s")
    for backend, goal in result["goal"].items():
        print(f"Goal (issue 14), checkout POST/s after >= {GOAL} x before, {backend}: "
              + ", ".join(f"{'met' if ok else 'MISSED'} {how}" for how, ok in goal.items()))
    failed = [name for name, ok in result["checks"].items() if not ok]
    print(f"Checks: {len(result['checks']) - len(failed)} of {len(result['checks'])} ok"
          + "".join(f"\n  FAILED: {name}" for name in failed))
    print(f"Total run time {result['total_seconds']:.0f} s")


# --------------------------------------------------------------------------- main


def default_base() -> str:
    first = git("log", "--format=%H", "--grep=^Domain events in a transactional outbox",
                "--reverse").splitlines()
    return f"{first[0]}~1" if first else "HEAD~1"


def plugin_entry_points() -> dict[str, str]:
    """The installed plugins: entry point name -> module (this virtual environment's)."""
    return {ep.name: ep.value for ep in metadata.entry_points(group="storefront.plugins")}


def plugins_in(tree: Path) -> list[str]:
    """The installed plugins whose module the tree has: a tree from before a plugin existed
    does not have it (the virtual environment's entry points are this tree's)."""
    return sorted(name for name, module in plugin_entry_points().items()
                  if module.startswith(("loyalty_plugins.", "hooks."))
                  and (tree / (module.replace(".", "/") + ".py")).exists())


def stub_missing_plugins(tree: Path) -> None:
    """An empty module for each installed plugin the tree does not have, so that its plugin
    loader, which imports every entry point, finds a plugin with no hooks instead of this
    tree's newer code (the editable install would import it from here). Third-party plugins
    (examples/free-gift) are written for this tree's contract: stubbed too (the tree comes
    first on the import path)."""
    for module in plugin_entry_points().values():
        path = tree / (module.replace(".", "/") + ".py")
        if not path.exists():
            for package in list(path.relative_to(tree).parents)[:-1]:
                init = tree / package / "__init__.py"
                init.parent.mkdir(parents=True, exist_ok=True)
                init.touch()
            path.write_text('"""Not in this tree: a plugin with no hooks (bench_worker.py)."""\n')


def extract(rev: str, folder: Path) -> None:
    folder.mkdir(parents=True)
    archive = subprocess.Popen(["git", "archive", "--format=tar", rev], cwd=ROOT,
                               stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", str(folder)], stdin=archive.stdout, check=True,
                   timeout=120)
    archive.stdout.close()
    if archive.wait(timeout=60) != 0:
        raise RuntimeError(f"git archive {rev} failed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=None, help="the commit to compare against")
    parser.add_argument("--orders", type=int, default=200, help="POSTs per phase (part 1)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--worker-orders", type=int, default=200,
                        help="orders placed and paid for the worker to deliver (part 2)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="part 1 this many times, before and after alternating (median)")
    parser.add_argument("--no-redis", dest="redis", action="store_false",
                        help="skip the after run with a Redis queue")
    parser.add_argument("--no-sqlite", dest="sqlite", action="store_false")
    parser.add_argument("--no-postgres", dest="postgres", action="store_false")
    parser.add_argument("--wait-quiet", type=float, default=10.0, metavar="SECONDS",
                        help="before each timed phase, wait up to this long for an idle "
                             "machine (other programs' CPU use is shown for each phase)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (databases, logs, mail)")
    parser.add_argument("--prepare", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        return prepare(args.prepare)
    if not (1 <= args.rounds <= 5 and 1 <= args.clients <= 64 and 10 <= args.orders <= 20_000
            and 10 <= args.worker_orders <= 20_000):
        parser.error("use 1-5 rounds, 1-64 clients, 10-20,000 orders")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.support import postgres

    begun = time.perf_counter()
    base = args.base or default_base()
    backends = [b for b, on in (("sqlite", args.sqlite), ("postgresql", args.postgres)) if on]
    redis = args.redis and args.postgres and REDIS.exists()
    tmp = Path(tempfile.mkdtemp(prefix="bench-worker-"))
    procs = Processes()
    cluster = None
    result: dict = {"args": vars(args) | {"redis": redis},
                    "base": git("rev-parse", "--short", base),
                    "head": git("rev-parse", "--short", "HEAD"),
                    "load": {b: {"before": [], "after": [], "after-idle": [], "after-redis": []}
                             for b in backends}, "worker": {}}
    try:
        trees = {"before": tmp / "before", "after": ROOT}
        extract(base, trees["before"])
        args.plugins = plugins_in(trees["before"])  # before stubbing: what it really has
        stub_missing_plugins(trees["before"])
        log(f"plugins on in both trees: {', '.join(args.plugins)}")
        if "postgresql" in backends:
            cluster = postgres.start_cluster()
        redis_url = ""
        if redis:
            port = free_port()
            procs.start("redis", [str(REDIS), "--bind", "127.0.0.1", "--port", str(port),
                                  "--save", "", "--appendonly", "no"], clean_env(), tmp,
                        tmp / "redis.log")
            redis_url = f"redis://127.0.0.1:{port}/0"
        for number in range(args.rounds):
            for backend in backends:
                kinds = ["before", "after"] if number % 2 == 0 else ["after", "before"]
                kinds += ["after-idle"] + (["after-redis"] if redis and backend == "postgresql"
                                           else [])
                for kind in kinds:
                    folder = tmp / f"{backend}-{kind}-{number}"
                    queue = redis_url if kind == "after-redis" else \
                        f"sqlite:///{folder / 'queue.sqlite3'}"
                    tree = trees["before" if kind == "before" else "after"]
                    result["load"][backend][kind].append(load_scenario(
                        procs, kind, tree, backend, cluster, folder, args, queue))
        for backend in backends:
            result["worker"][backend] = worker_scenario(procs, backend, cluster,
                                                        tmp / f"{backend}-worker", args)
    finally:
        procs.stop_all()
        if cluster is not None:
            cluster.stop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    checks: dict[str, bool] = {}
    for backend, runs in result["load"].items():
        for kind, kind_runs in runs.items():
            for number, run in enumerate(kind_runs):
                for name, ok in run["checks"].items():
                    checks[f"{backend} {kind} round {number + 1}: {name}"] = ok
                for phase, r in run["phases"].items():
                    checks[f"{backend} {kind} round {number + 1}: {phase} requests all "
                           "answered 303"] = not r["failures"]
    for backend, run in result["worker"].items():
        for name, ok in run["checks"].items():
            checks[f"{backend} worker: {name}"] = ok
    result["checks"] = checks
    result["goal"] = {backend: {how: median_of(runs[kind], "checkout", "per_second")
                                >= GOAL * median_of(runs["before"], "checkout", "per_second")
                                for how, kind in (("with the worker running", "after"),
                                                  ("without", "after-idle"))}
                      for backend, runs in result["load"].items()}
    result["machine"] = machine()
    result["total_seconds"] = time.perf_counter() - begun
    print_report(result)
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_worker.json").write_text(json.dumps(result, indent=2, default=str))
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
