"""Page speed of the shop against a bare Flask + SQLAlchemy + Jinja reference.

    .venv/bin/python bench/bench_pages.py [--duration 10] [--runs 3] [--warmup 3]

One run does everything and cleans up after itself:

1. prepares a demo shop database with `storefront demo --no-serve` (migrations, content/ sync,
   built-in plugins, demo accounts) in a temporary instance folder;
2. starts the shop under gunicorn (2 sync workers, ENV_NAME=production, a generated strong
   secret key, so no debug), the same shop without its in-process guest page cache
   (GUEST_PAGE_CACHE_SIZE=0), the bare reference app (bench/bare_app.py, 2 sync workers),
   the reference padded to the byte size of the shop's product page, and Debian's nginx
   (/usr/sbin/nginx, when installed) as a caching reverse proxy in front of the shop, which
   keeps what the shop's Cache-Control allows (docs/operations.md, "HTTP caching"), all on
   127.0.0.1;
3. makes a cart with 2 lines the way a browser does (GET the product page, POST add-to-cart
   with the page's Origin, keep the session cookie) for the cart page target, and keeps the
   session cookie a first product view gives a new visitor for the "returning visitor"
   product page target (a browser sends it back on every later page);
4. measures requests/second and p50/p99 latency with wrk (16 connections, --duration seconds,
   after a warm-up; runs interleaved, median of --runs), or with a bounded Python thread load
   generator when /usr/bin/wrk is missing;
5. prints a table and the shop/bare ratios (the median of each run's ratio), writes
   bench/out/bench_pages.json, stops the servers and removes the temporary folder.

Only 127.0.0.1 is loaded; every wait and loop has a deadline.
"""

from __future__ import annotations

import argparse
import getpass
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
OUT = BENCH / "out"
WRK = Path("/usr/bin/wrk")
NGINX = Path("/usr/sbin/nginx")
HOST = "127.0.0.1"
WORKERS = 2
CONNECTIONS = 16
GOAL = 0.7  # product page: shop >= 0.7 x bare reference

PRODUCT_PATH = "/products/ethiopia-yirgacheffe"
CART_PRODUCTS = (("ethiopia-yirgacheffe", 1), ("gooseneck-kettle", 2))

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SKU_RE = re.compile(r'name="sku"[^>]*value="([^"]+)"')
CART_ROW_RE = re.compile(r'name="line_id"')


# --------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.port}{path}"

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # gunicorn master stops its workers
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # our own session, started below
            self.process.wait(timeout=5)


def start_gunicorn(name: str, app_spec: str, env: dict, tmp: Path, extra: list[str],
                   cwd: Path = ROOT) -> Server:
    """gunicorn on a free port; ``cwd`` comes first on its sys.path (python -m)."""
    port = free_port()
    log = tmp / f"{name}.log"
    argv = [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS),
            "--worker-class", "sync", "--bind", f"{HOST}:{port}",
            "--error-logfile", str(log), "--log-level", "warning", *extra, app_spec]
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    return Server(name, port, process, log)


NGINX_CONF = """\
daemon off;
worker_processes {workers};
user {user};
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    # What docs/operations.md ("HTTP caching") shows: the shop's headers decide what is kept.
    proxy_cache_path {folder}/cache levels=1:2 keys_zone=shop:10m max_size=1g inactive=10m
                     use_temp_path=off;
    upstream shop {{ server {upstream}; keepalive 16; }}
    server {{
        listen {listen};
        location / {{
            proxy_pass http://shop;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_cache shop;
            proxy_cache_revalidate on;
            proxy_cache_lock on;
            proxy_cache_use_stale updating;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


def start_nginx(upstream: Server, tmp: Path) -> Server:
    """nginx caching in front of ``upstream``, with WORKERS worker processes."""
    folder = tmp / "nginx"
    folder.mkdir()
    port = free_port()
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(workers=WORKERS, user=getpass.getuser(),
                                      folder=folder, upstream=f"{HOST}:{upstream.port}",
                                      listen=f"{HOST}:{port}"))
    log = folder / "error.log"
    process = subprocess.Popen([str(NGINX), "-p", str(folder), "-c", str(conf)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    return Server("nginx", port, process, log)


def wait_ready(server: Server, path: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            status, _, _ = request(server.port, "GET", path, timeout=2)
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    log = server.log.read_text() if server.log.exists() else ""
    raise RuntimeError(f"{server.name} did not answer 200 on {path} within {timeout:.0f} s\n{log}")


def clean_env() -> dict:
    """The environment without any shop settings of the person running the benchmark."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("STOREFRONT_", "BARE_")) and k != "DATABASE_URL"}


# --------------------------------------------------------------------------- HTTP


def request(port: int, method: str, path: str, *, cookie: str = "", form: dict | None = None,
            timeout: float = 10.0) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:  # sent as a browser sends a form of the shop's own pages
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://{HOST}:{port}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def session_cookie(headers: http.client.HTTPMessage, current: str) -> str:
    """Keep the cookies by hand, as a browser would (the session and the cart count): the
    shop marks them Secure in production, and this is http. An emptied or expired cookie is
    dropped."""
    jar = dict(pair.split("=", 1) for pair in current.split("; ") if pair)
    for raw in headers.get_all("Set-Cookie") or []:
        name, _, value = raw.split(";", 1)[0].strip().partition("=")
        if value and "Max-Age=0" not in raw:
            jar[name] = value
        else:
            jar.pop(name, None)
    return "; ".join(f"{name}={value}" for name, value in jar.items())


def returning_visitor_cookie(port: int, pages: int = 3) -> str:
    """The cookie a browser holds once it has looked around the shop: it keeps whatever
    the product page sets, page after page, until the page no longer changes it."""
    cookie = ""
    for _ in range(pages):
        status, headers, _ = request(port, "GET", PRODUCT_PATH, cookie=cookie)
        assert status == 200, f"GET {PRODUCT_PATH}: {status}"
        if not headers.get_all("Set-Cookie"):
            return cookie
        cookie = session_cookie(headers, cookie)
    raise AssertionError(f"the product page still changes the session after {pages} views")


def sets_cookie(port: int, path: str, cookie: str) -> bool:
    return bool(request(port, "GET", path, cookie=cookie)[1].get_all("Set-Cookie"))


def make_cart_cookie(port: int) -> str:
    """Add two products the way a browser does; return a session cookie holding the cart."""
    cookie = ""
    for slug, quantity in CART_PRODUCTS:
        status, headers, body = request(port, "GET", f"/products/{slug}", cookie=cookie)
        assert status == 200, f"GET /products/{slug}: {status}"
        cookie = session_cookie(headers, cookie)
        sku = SKU_RE.search(body.decode()).group(1)
        status, headers, _ = request(port, "POST", "/cart/add", cookie=cookie,
                                     form={"sku": sku, "quantity": str(quantity)})
        assert status == 303, f"POST /cart/add {sku}: {status}"
        cookie = session_cookie(headers, cookie)
    # The first cart view shows (and so removes) the "Added ..." messages.
    status, headers, body = request(port, "GET", "/cart", cookie=cookie)
    cookie = session_cookie(headers, cookie)
    status, headers, body = request(port, "GET", "/cart", cookie=cookie)
    lines = len(CART_ROW_RE.findall(body.decode())) // 2  # update and remove form per line
    assert status == 200 and lines == 2, f"cart page: status {status}, {lines} lines"
    assert not headers.get_all("Set-Cookie"), "the cart page still changes the session"
    return cookie


# --------------------------------------------------------------------------- load


CLK_TCK = os.sysconf("SC_CLK_TCK")
OTHER_LOAD_LIMIT = 0.10  # a run during which others used more CPU than this is repeated


def _machine_jiffies() -> tuple[int, int]:
    """(total, busy) CPU time of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(values), sum(values) - values[3] - values[4]  # minus idle and iowait


def _process_jiffies(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime + stime


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class CpuMeter:
    """Share of all CPUs that *other* programs used while one measurement ran.

    Ours: the gunicorn masters and workers, this process and its waited children (wrk).
    """

    def __init__(self, servers: list[Server]):
        self.servers = servers

    def _ours(self) -> int:
        pids = [pid for s in self.servers for pid in (s.process.pid, *_children(s.process.pid))]
        me = os.times()
        mine = (me.user + me.system + me.children_user + me.children_system) * CLK_TCK
        return sum(_process_jiffies(pid) for pid in pids) + int(mine)

    def __enter__(self) -> CpuMeter:
        self.other = -1.0
        try:
            self._start = (*_machine_jiffies(), self._ours())
        except (OSError, ValueError, IndexError):
            self._start = None
        return self

    def __exit__(self, *exc) -> None:
        if self._start is None:
            return
        total0, busy0, ours0 = self._start
        total1, busy1 = _machine_jiffies()
        others = (busy1 - busy0) - (self._ours() - ours0)
        self.other = max(0.0, others / max(1, total1 - total0))


def server_jiffies(server: Server) -> int:
    """CPU time used so far by a gunicorn master and its workers."""
    pid = server.process.pid
    return sum(_process_jiffies(p) for p in (pid, *_children(pid)))


def idle_for(seconds: float) -> float:
    """Share of all CPUs busy during ``seconds`` (nothing of ours runs meanwhile)."""
    total0, busy0 = _machine_jiffies()
    time.sleep(seconds)
    total1, busy1 = _machine_jiffies()
    return (busy1 - busy0) / max(1, total1 - total0)


def wait_quiet(max_wait: float, threshold: float = 0.10, needed: int = 2) -> bool:
    """Wait (at most ``max_wait`` s) until the machine is idle for ``needed`` seconds."""
    deadline = time.monotonic() + max_wait
    quiet = 0
    while time.monotonic() < deadline:
        quiet = quiet + 1 if idle_for(1.0) < threshold else 0
        if quiet >= needed:
            return True
    return False


@dataclass
class Result:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    bad_status: int = 0
    socket_errors: int = 0
    other_cpu: float = -1.0  # share of the CPUs other programs used meanwhile
    server_cpu_us: float = 0.0  # CPU time of the server's processes per request


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text).groups()
    return float(number) * _UNITS_MS[unit]


def run_wrk(url: str, seconds: float, cookie: str) -> Result:
    argv = [str(WRK), "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency",
            "--timeout", "5s"]
    if cookie:
        argv += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(argv + [url], capture_output=True, text=True, check=True,
                         timeout=seconds + 60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       out)
    return Result(rps, p50, p99, total, int(bad.group(1)) if bad else 0,
                  sum(map(int, errors.groups())) if errors else 0)


def run_threads(url: str, seconds: float, cookie: str) -> Result:
    """Fallback without wrk: CONNECTIONS threads, each one request at a time, until a deadline."""
    port = int(re.match(r"http://[^:]+:(\d+)", url).group(1))
    path = re.sub(r"^http://[^/]+", "", url)
    latencies: list[float] = []
    counts = {"bad": 0, "errors": 0}
    lock = threading.Lock()
    max_per_thread = 1_000_000
    start = time.monotonic()
    deadline = start + seconds

    def worker() -> None:
        mine: list[float] = []
        bad = errors = 0
        for _ in range(max_per_thread):
            if time.monotonic() >= deadline:
                break
            t0 = time.perf_counter()
            try:
                status, _, _ = request(port, "GET", path, cookie=cookie, timeout=5)
                bad += status != 200
            except OSError:
                errors += 1
                continue
            mine.append(time.perf_counter() - t0)
        with lock:
            latencies.extend(mine)
            counts["bad"] += bad
            counts["errors"] += errors

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(CONNECTIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=seconds + 30)
    elapsed = time.monotonic() - start
    latencies.sort()

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    if not latencies:
        return Result(0.0, 0.0, 0.0, 0, counts["bad"], counts["errors"])
    return Result(len(latencies) / elapsed, pct(0.50), pct(0.99), len(latencies),
                  counts["bad"], counts["errors"])


# --------------------------------------------------------------------------- preparation


def prepare_database(instance: Path) -> Path:
    """Run the real `storefront demo --no-serve` on a temporary instance folder."""
    from storefront import create_app
    from storefront.cli import main as storefront_cli
    from storefront.extensions import db

    path = instance / "storefront.sqlite3"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "SECRET_KEY": secrets.token_urlsafe(48),
                      "MAIL_BACKEND": "file"}, instance_path=str(instance))
    result = app.test_cli_runner().invoke(storefront_cli, ["demo", "--no-serve"])
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if result.exit_code != 0:
        raise RuntimeError(f"storefront demo --no-serve failed:\n{result.output}") \
            from result.exception
    for line in result.output.splitlines():
        if line.startswith(("demo shop:", "built-in plugins")):
            print(line)
    return path


def bare_base_size(database: Path) -> int:
    """Size of the reference page without padding, rendered in-process."""
    sys.path.insert(0, str(BENCH))
    from bare_app import create_app

    client = create_app(str(database), pad_bytes=0).test_client()
    response = client.get(PRODUCT_PATH)
    assert response.status_code == 200, response.status_code
    return len(response.data)


def machine() -> dict:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        match = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        model = match.group(1).strip() if match else ""
    versions = {name: metadata.version(name)
                for name in ("flask", "sqlalchemy", "jinja2", "werkzeug", "gunicorn",
                             "flask-sqlalchemy", "flask-wtf", "flask-login")}
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=ROOT, text=True, capture_output=True, timeout=10).stdout
        code = f"{head}{' + uncommitted changes' if dirty.strip() else ''}"
    except (OSError, subprocess.SubprocessError):
        code = "unknown"
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": model, "code": code,
            "python": platform.python_version(), "platform": platform.platform(),
            "load_tool": "wrk" if WRK.exists() else "python threads", **versions}


# --------------------------------------------------------------------------- main


@dataclass
class Target:
    name: str
    server: Server
    path: str
    cookie: str = ""
    size: int = 0
    sets_cookie: bool = False
    results: list[Result] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.results)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per measurement")
    parser.add_argument("--runs", type=int, default=3, help="measurements per target (median)")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per target")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--wait-quiet", type=float, default=60.0, metavar="SECONDS",
                        help="before each run, wait up to this long for an idle machine")
    parser.add_argument("--attempts", type=int, default=3,
                        help="tries per run when other programs disturb it")
    args = parser.parse_args()
    if not 1 <= args.runs <= 20 or not 1 <= args.duration <= 120 or not 0 <= args.warmup <= 60:
        parser.error("use 1-20 runs, 1-120 s duration, 0-60 s warm-up")
    if not 0 <= args.wait_quiet <= 1800 or not 1 <= args.attempts <= 10:
        parser.error("use 0-1800 s for --wait-quiet and 1-10 attempts")

    load = run_wrk if WRK.exists() else run_threads
    tmp = Path(tempfile.mkdtemp(prefix="storefront-bench-"))
    instance = tmp / "instance"
    instance.mkdir()
    servers: list[Server] = []
    try:
        database = prepare_database(instance)

        shop_env = clean_env() | {
            "STOREFRONT_ENV_NAME": "production",
            "STOREFRONT_SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": f"sqlite:///{database}",
        }
        shop = start_gunicorn("shop", f"storefront:create_app(instance_path={str(instance)!r})",
                              shop_env, tmp, [])
        servers.append(shop)
        wait_ready(shop, PRODUCT_PATH)
        status, headers, body = request(shop.port, "GET", PRODUCT_PATH)
        product_size = len(body)
        assert "Werkzeug Debugger" not in request(shop.port, "GET", "/products/none")[2].decode()

        pad = product_size - bare_base_size(database)
        bare_env = clean_env() | {"BARE_DATABASE": str(database), "BARE_PAD_BYTES": str(pad)}
        bare = start_gunicorn("bare", "bare_app:create_app()", bare_env, tmp,
                              ["--pythonpath", str(BENCH)])
        servers.append(bare)
        wait_ready(bare, PRODUCT_PATH)

        # The same shop and database, rendering every page (no in-process guest page cache).
        uncached = start_gunicorn(
            "uncached", f"storefront:create_app(instance_path={str(instance)!r})",
            shop_env | {"STOREFRONT_GUEST_PAGE_CACHE_SIZE": "0"}, tmp, [])
        servers.append(uncached)
        wait_ready(uncached, PRODUCT_PATH)
        proxy = None
        if NGINX.exists():
            proxy = start_nginx(shop, tmp)
            servers.append(proxy)
            wait_ready(proxy, PRODUCT_PATH)
        else:
            print(f"no {NGINX} (apt-get install nginx): no reverse proxy row")

        cookie = make_cart_cookie(shop.port)
        targets = [Target("shop product page (new)", shop, PRODUCT_PATH),
                   Target("shop product (returning)", shop, PRODUCT_PATH,
                          returning_visitor_cookie(shop.port)),
                   Target("shop product, no page cache", uncached, PRODUCT_PATH),
                   Target("shop cart page (2 lines)", shop, "/cart", cookie),
                   *([Target("nginx cache -> shop product", proxy, PRODUCT_PATH)]
                     if proxy else []),
                   Target("bare reference page", bare, PRODUCT_PATH)]
        if proxy:
            statuses = [request(proxy.port, "GET", PRODUCT_PATH)[1]["X-Cache-Status"]
                        for _ in range(2)]
            print(f"nginx cache status of the product page, twice: {', '.join(statuses)}")
        for t in targets:
            t.size = len(request(t.server.port, "GET", t.path, cookie=t.cookie)[2])
            t.sets_cookie = sets_cookie(t.server.port, t.path, t.cookie)

        info = machine()
        print(f"machine: {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, "
              f"code {info['code']}, load: {info['load_tool']}, {CONNECTIONS} connections, "
              f"{args.duration:g} s x {args.runs} runs, {WORKERS} sync workers each")
        if args.warmup:
            for t in targets:
                load(t.server.url(t.path), args.warmup, t.cookie)
        meter = CpuMeter(servers)
        noisy = False
        for run in range(1, args.runs + 1):  # interleaved: drift hits every target alike
            for t in targets:
                best = None
                for attempt in range(1, args.attempts + 1):
                    if args.wait_quiet and not wait_quiet(args.wait_quiet):
                        print(f"  (the machine stayed busy for {args.wait_quiet:g} s)")
                    served = server_jiffies(t.server)
                    with meter:
                        r = load(t.server.url(t.path), args.duration, t.cookie)
                    r.other_cpu = meter.other
                    r.server_cpu_us = ((server_jiffies(t.server) - served) / CLK_TCK * 1e6
                                       / max(1, r.requests))
                    print(f"  run {run} {t.name:<26} {r.rps:8.0f} req/s  p50 {r.p50_ms:6.2f} ms"
                          f"  p99 {r.p99_ms:6.2f} ms  server CPU {r.server_cpu_us:5.0f} µs/req"
                          f"  ({r.bad_status} bad, {r.socket_errors} "
                          f"socket errors, others used {r.other_cpu:.0%} CPU)", flush=True)
                    if best is None or r.other_cpu < best.other_cpu:
                        best = r
                    if r.other_cpu <= OTHER_LOAD_LIMIT:
                        break
                    if attempt < args.attempts:
                        print("    other programs were busy: measuring this run again")
                noisy |= best.other_cpu > OTHER_LOAD_LIMIT
                t.results.append(best)

        print()
        header = (f"{'target':<26} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'bytes':>7} "
                  f"{'cookie':>6}   runs")
        print(header)
        print("-" * len(header))
        for t in targets:
            runs = ", ".join(f"{r.rps:.0f}" for r in t.results)
            print(f"{t.name:<26} {t.median('rps'):8.0f} {t.median('p50_ms'):8.2f} "
                  f"{t.median('p99_ms'):8.2f} {t.size:7d} {'set' if t.sets_cookie else '-':>6}"
                  f"   {runs}")
        print("(cookie: 'set' when the page answers with Set-Cookie, e.g. a new session)")
        bare = targets[-1]

        def ratio(target: Target) -> float:
            """The median of each run's target/bare ratio: drift hits both alike."""
            return statistics.median(r.rps / b.rps for r, b in zip(target.results,
                                                                 bare.results, strict=True))

        ratios = {key: ratio(t) for key, t in
                  (("product", targets[0]), ("product_returning", targets[1]),
                   ("product_no_page_cache", targets[2]), ("cart", targets[3]),
                   ("nginx_product", targets[4] if proxy else None)) if t is not None}
        print()
        print("(ratios: the median of the runs' ratios)")
        for key, label in (("product", "product page, new visitor:      "),
                           ("product_returning", "product page, returning visitor:")):
            verdict = "meets" if ratios[key] >= GOAL else "is BELOW"
            print(f"shop/bare, {label} {ratios[key]:.2f}  ({verdict} the goal of {GOAL})")
        print(f"shop/bare, product page without the page cache: "
              f"{ratios['product_no_page_cache']:.2f}")
        print(f"shop/bare, cart page (returning visitor): {ratios['cart']:.2f}")
        if proxy:
            print(f"nginx cache/bare, product page:            {ratios['nginx_product']:.2f}")
        # By CPU time: a server's CPU time per request hardly moves when other programs share
        # the machine, its req/s does.
        by_cpu = {key: statistics.median(b.server_cpu_us / max(r.server_cpu_us, 1e-9)
                                         for r, b in zip(t.results, bare.results, strict=True))
                  for key, t in (("product", targets[0]), ("product_returning", targets[1]))}
        for key, value in by_cpu.items():
            print(f"shop/bare, {key}, by the servers' CPU time per request: {value:.2f}")
        if noisy:
            print(f"WARNING: other programs used more than {OTHER_LOAD_LIMIT:.0%} of the CPUs "
                  "during some kept runs; repeat on an idle machine")
        problems = [t.name for t in targets for r in t.results if r.bad_status]
        if problems:
            print(f"WARNING: non-2xx answers on: {', '.join(sorted(set(problems)))}")

        OUT.mkdir(exist_ok=True)
        report = {"machine": info, "connections": CONNECTIONS, "duration_s": args.duration,
                  "runs": args.runs, "warmup_s": args.warmup, "workers": WORKERS,
                  "ratios": ratios,
                  "ratios_by_server_cpu": by_cpu, "goal_product_ratio": GOAL, "noisy": noisy,
                  "targets": [{"name": t.name, "path": t.path, "bytes": t.size,
                               "cookie_sent": bool(t.cookie), "sets_cookie": t.sets_cookie,
                               "median_rps": t.median("rps"),
                               "median_p50_ms": t.median("p50_ms"),
                               "median_p99_ms": t.median("p99_ms"),
                               "runs": [asdict(r) for r in t.results]} for t in targets]}
        (OUT / "bench_pages.json").write_text(json.dumps(report, indent=2) + "\n")
        print(f"results: {OUT / 'bench_pages.json'}")
        return 0 if not problems else 1
    finally:
        for server in servers:
            server.stop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
