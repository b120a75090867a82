"""What plugins cost a quote, and where a checkout request spends its time.

    .venv/bin/python bench/bench_quote.py [--runs 5] [--target 0.2] [--requests 200]
                                          [--orders 100] [--builtin-package loyalty_plugins]

One run, everything in one process, no network, temporary files removed at the end:

1. Quote micro-benchmark: storefront.cart.pricing.quote() of a 10-line cart (a guest customer) with
   (a) 0 plugins, (b) every built-in plugin (entry points of group ``storefront.plugins`` whose
   module lives in the ``loyalty_plugins`` package), (c) 20 no-op plugins (each
   ``shop_cart_adjustments`` returns []), (d) 20 plugins each proposing one small Adjustment.
   Each through the raw pluggy caller (``pm.hook.shop_cart_adjustments``) and through the
   shop's dispatcher (``plugins.caller("shop_cart_adjustments")`` inside a request context of
   a real app whose plugins come in through EXTRA_PLUGINS, so they are enabled). Best of
   --runs timeit runs, each run sized to take about --target seconds. Also resolve() alone,
   and the per-request enablement lookup.
2. The checkout request: a shop on a temporary migrated SQLite database with the demo content,
   20 no-op plugins enabled; a guest fills a cart with 2 products through the pages (CSRF token
   scraped from the forms), then cProfile over --requests GET /checkout (top 15 by cumulative
   and by own time), the mean GET /checkout and the mean order-placing POST /checkout (a fresh
   cart each time), with 20 no-op plugins and, for comparison, with none.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import time
import timeit
import types
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pluggy  # noqa: E402
from flask import Flask  # noqa: E402
from sqlalchemy import update  # noqa: E402

import hooks  # noqa: E402
from hooks import Adjustment, CartLineView, CartView, CustomerView, hookimpl  # noqa: E402
from hooks.testing import hidden_inputs, post_form  # noqa: E402
from storefront import create_app, plugins  # noqa: E402
from storefront.cart.pricing import quote, resolve  # noqa: E402
from storefront.catalog.models import Product  # noqa: E402
from storefront.catalog.sync import sync_products  # noqa: E402
from storefront.content.loader import load_content  # noqa: E402
from storefront.database import migrate  # noqa: E402
from storefront.extensions import db  # noqa: E402
from storefront.plugins.registry import build_manager  # noqa: E402

SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
N_PLUGINS = 20
CART_PRODUCTS = (("COF-ESP-1000", "house-espresso"), ("EQP-FLT-100", "paper-filters"))
# pluggy 1.6+ moved HookCaller into _caller.py and _multicall into _execution.py (_hooks.py and
# _callers.py are left as re-exports); _manager.py holds PluginManager._hookexec.
DISPATCH_FILES = ("pluggy/_hooks.py", "pluggy/_callers.py", "pluggy/_caller.py",
                  "pluggy/_execution.py", "pluggy/_manager.py", "storefront/plugins/dispatch.py",
                  "storefront/plugins/setup.py")
TOP = 15


# --------------------------------------------------------------------------- plugins


class NoopPlugin:
    """Implements shop_cart_adjustments and proposes nothing."""

    def __init__(self, name: str) -> None:
        self.name = name

    @hookimpl
    def shop_cart_adjustments(self, cart, customer):
        return []


class SmallAdjustmentPlugin:
    """Proposes one small order discount (1 cent), built on every call as a real plugin does."""

    def __init__(self, name: str) -> None:
        self.name = name

    @hookimpl
    def shop_cart_adjustments(self, cart, customer):
        return [Adjustment(plugin=self.name, code="small", label="Small discount", amount=1)]


def noop_plugins() -> list[NoopPlugin]:
    return [NoopPlugin(f"noop{i:02d}") for i in range(N_PLUGINS)]


def adjustment_plugins() -> list[SmallAdjustmentPlugin]:
    return [SmallAdjustmentPlugin(f"adj{i:02d}") for i in range(N_PLUGINS)]


def builtin_plugins(package: str) -> tuple[list[object], list[str], list[str]]:
    """(plugin objects, their names, other entry points) of the group ``storefront.plugins``.

    A module is registered under its entry-point name, as pm.load_setuptools_entrypoints does
    (EXTRA_PLUGINS names a module after ``__name__``, so it gets a copy named after the entry
    point)."""
    found, names, others = [], [], []
    for ep in metadata.entry_points(group=hooks.ENTRY_POINT_GROUP):
        if ep.module.split(".")[0] != package:
            others.append(f"{ep.name} ({ep.value})")
            continue
        plugin = ep.load()
        if isinstance(plugin, types.ModuleType):
            named = types.ModuleType(ep.name, plugin.__doc__)
            for key, value in vars(plugin).items():
                if not key.startswith("__"):
                    setattr(named, key, value)
            plugin = named
        found.append(plugin)
        names.append(ep.name)
    return found, names, others


# --------------------------------------------------------------------------- helpers


def make_cart() -> CartView:
    lines = tuple(
        CartLineView(product_id=i + 1, sku=f"SKU-{i:02d}", title=f"Product {i}",
                     unit_price=500 + 125 * i, quantity=1 + i % 3, category="coffee",
                     tags=("blend", "organic"))
        for i in range(10)
    )
    return CartView(lines=lines, currency="EUR", shipping=490)


def make_app(tmp: Path, db_path: Path, extra=()) -> Flask:
    config = {
        "SECRET_KEY": SECRET,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "CONTENT_DIR": str(ROOT / "content"),
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(tmp / "mail"),
        "LOAD_ENTRY_POINT_PLUGINS": False,  # only the plugins under test
        "BASE_URL": "http://localhost",
        "EXTRA_PLUGINS": tuple(extra),
        # Every order comes from one guest at one address; the limit would stop the bench.
        "GUEST_ORDER_LIMIT_PER_CLIENT": "1000000 per hour",
    }
    return create_app(config, instance_path=str(tmp / "instance"))


def close_app(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def prepare_database(tmp: Path) -> Path:
    path = tmp / "shop.sqlite3"
    app = make_app(tmp, path)
    migrate.upgrade(app)
    with app.app_context():
        sync_products(load_content(ROOT / "content"))
        # plenty of stock for the order loop
        db.session.execute(update(Product).values(stock=1_000_000))
        db.session.commit()
    close_app(app)
    return path


def calibrate(fn, target: float) -> int:
    """N such that N calls of ``fn`` take about ``target`` seconds."""
    timer = timeit.Timer(fn)
    number = 1
    while True:
        elapsed = timer.timeit(number)
        if elapsed >= 0.02:
            break
        number *= 10 if elapsed < 0.002 else 2
    return max(1, round(number * target / elapsed))


class Case:
    """One figure: ``fn`` timed N times per run, optionally inside a context of ``app``."""

    def __init__(self, name: str, fn, app: Flask | None = None) -> None:
        self.name, self.fn, self.app = name, fn, app
        self.number, self.runs = 0, []

    def _ctx(self):
        if self.app is None:
            return contextlib.nullcontext()
        return self.app.test_request_context("/checkout")

    def run(self, target: float | None = None) -> None:
        with self._ctx():
            if self.app is not None:
                plugins.dispatcher()  # the request's first call reads the enablement
            if target is not None:
                self.number = calibrate(self.fn, target)
                return
            self.runs.append(timeit.Timer(self.fn).timeit(self.number))

    @property
    def us(self) -> float:
        return min(self.runs) / self.number * 1e6


def measure_all(cases: list[Case], runs: int, target: float) -> None:
    """Round robin: run 1 of every case, then run 2 of every case, ...; best run counts.
    Interleaving spreads any load from other processes over all cases alike."""
    for case in cases:
        case.run(target)
    for _ in range(runs):
        for case in cases:
            case.run()


def short(filename: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def fmt_func(key: tuple) -> str:
    filename, line, name = key
    if filename == "~":
        return name  # a builtin, e.g. <method 'execute' of 'sqlite3.Cursor' objects>
    return f"{short(filename)}:{line}({name})"


def is_dispatch(key: tuple) -> bool:
    return any(key[0].endswith(path) for path in DISPATCH_FILES)


# --------------------------------------------------------------------------- part 1


def part1(args, tmp: Path, db_path: Path) -> dict:
    print("== Part 1: quote() of a 10-line cart (guest), microseconds per quote ==")
    print(f"   best of {args.runs} runs, each of N quotes sized to ~{args.target:.2f} s; "
          "all figures measured round robin\n")
    cart, customer = make_cart(), CustomerView(None)
    built, built_names, others = builtin_plugins(args.builtin_package)
    configs = [
        ("a", "0 plugins", []),
        ("b", f"all built-in plugins ({len(built)})", built),
        ("c", f"{N_PLUGINS} no-op plugins", noop_plugins()),
        ("d", f"{N_PLUGINS} plugins x 1 small Adjustment", adjustment_plugins()),
    ]
    results: dict[str, dict] = {}
    cases: list[Case] = []
    apps: list[Flask] = []
    try:
        for key, label, extra in configs:
            if key == "b" and not extra:
                results[key] = {"label": label, "na": "n/a (no built-in plugins yet)"}
                continue
            try:
                app = make_app(tmp, db_path, extra)
                apps.append(app)
                pm: pluggy.PluginManager = app.extensions["storefront.plugins"]
                maxpct = app.config["MAX_DISCOUNT_PERCENT"]
                with app.test_request_context("/checkout"):  # smoke test, counts
                    got = quote(cart, customer, plugins.caller("shop_cart_adjustments"), maxpct)
                    impls = len(pm.hook.shop_cart_adjustments.get_hookimpls())
            except Exception as exc:  # noqa: BLE001 - a broken built-in plugin is a finding
                results[key] = {"label": label, "na": f"error: {type(exc).__name__}: {exc}"}
                continue
            relay = pm.hook.shop_cart_adjustments  # the raw pluggy caller
            raw = Case(f"{key}-raw", lambda relay=relay, maxpct=maxpct:
                       quote(cart, customer, relay, maxpct), app)
            # What price() does: ask for the shop's relay on every quote (cached in g).
            shop = Case(f"{key}-shop", lambda maxpct=maxpct:
                        quote(cart, customer, plugins.caller("shop_cart_adjustments"), maxpct), app)
            cases += [raw, shop]
            results[key] = {"label": label, "raw": raw, "shop": shop, "impls": impls,
                            "applied": len(got.adjustments)}
            if key in ("a", "c"):
                # Once per request: new app context, plugin_state SELECT, EnabledHooks built.
                def lookup(app=app):
                    with app.app_context():
                        plugins.caller("shop_cart_adjustments")
                results[key]["lookup"] = Case(f"{key}-lookup", lookup)
                cases.append(results[key]["lookup"])

        # resolve() alone (the quote's own work, without any hook call), and the making of
        # the 20 Adjustment objects the plugins of (d) build.
        props = [Adjustment(plugin=f"adj{i:02d}", code="small", label="Small discount",
                            amount=1) for i in range(N_PLUGINS)]
        extra_cases = {
            "resolve_0": Case("resolve-0", lambda: resolve(cart, [], 100)),
            "resolve_20": Case("resolve-20", lambda: resolve(cart, props, 100)),
            "make_20": Case("make-20", lambda: [
                Adjustment(plugin=f"adj{i:02d}", code="small", label="Small discount",
                           amount=1) for i in range(N_PLUGINS)]),
        }
        # The floor for 20 no-op plugins: the same methods called in a plain loop, no pluggy.
        methods = [plugin.shop_cart_adjustments for plugin in noop_plugins()]

        def direct():
            results = [method(cart=cart, customer=customer) for method in methods]
            return [adj for result in results if result for adj in result]

        extra_cases["direct_20"] = Case("direct-20", direct)
        # The same 20 plugins in a plugin manager of their own, without the shop's stopwatch
        # (plugins.timing): what pluggy's caller costs alone, in the context of app (a).
        untimed = build_manager(noop_plugins(), load_entry_points=False)
        extra_cases["untimed_20"] = Case(
            "untimed-20", lambda relay=untimed.hook.shop_cart_adjustments:
            quote(cart, customer, relay, 100), apps[0])
        # pluggy's caller alone, outside a quote (steadier than a difference of two quotes):
        # the hook with those 20 implementations, and with none.
        empty = build_manager((), load_entry_points=False)
        for key, manager in (("caller_20", untimed), ("caller_0", empty)):
            extra_cases[key] = Case(key, lambda hook=manager.hook.shop_cart_adjustments:
                                    hook(cart=cart, customer=customer))
        cases += extra_cases.values()
        measure_all(cases, args.runs, args.target)
    finally:
        for app in apps:
            close_app(app)
    for value in results.values():
        for mode in ("raw", "shop", "lookup"):
            if isinstance(value.get(mode), Case):
                value[f"n_{mode}"] = value[mode].number
                value[mode] = value[mode].us
    resolve_0, resolve_20, make_20, direct_20, untimed_20, caller_20, caller_0 = (
        extra_cases[k].us for k in ("resolve_0", "resolve_20", "make_20", "direct_20",
                                    "untimed_20", "caller_20", "caller_0"))

    header = (f"{'':4}{'plugins':38}{'impls':>6}{'raw pm.hook':>14}{'EnabledHooks':>14}"
              f"{'N raw/shop':>14}")
    print(header)
    print("-" * len(header))
    for key, _, _ in configs:
        row = results[key]
        if "na" in row:
            print(f"({key}) {row['label']:38}{row['na']:>34}")
            continue
        print(f"({key}) {row['label']:38}{row['impls']:>6}{row['raw']:>11.2f} us"
              f"{row['shop']:>11.2f} us{row['n_raw']:>8}/{row['n_shop']}")
    print()
    if built_names:
        print(f"built-in plugins: {', '.join(built_names)}")
    else:
        print(f"built-in plugins: none registered from package {args.builtin_package!r} under "
              f"entry-point group {hooks.ENTRY_POINT_GROUP!r}")
    if others:
        print(f"(other installed entry points, not built-in, not loaded: {', '.join(others)})")
    print(f"resolve() alone, no proposals:          {resolve_0:8.2f} us")
    print(f"resolve() alone, {N_PLUGINS} ready adjustments:  {resolve_20:8.2f} us")
    print(f"building {N_PLUGINS} Adjustment objects:        {make_20:8.2f} us")
    print(f"{N_PLUGINS} no-op methods in a plain loop:    {direct_20:8.2f} us "
          f"({direct_20 / N_PLUGINS:.3f} us each: the floor without pluggy)")
    untimed_per = (untimed_20 - results["a"]["raw"]) / N_PLUGINS
    print(f"{N_PLUGINS} no-op plugins, pluggy without the stopwatch: {untimed_20:8.2f} us "
          f"({untimed_per:.3f} us each, {untimed_per * N_PLUGINS / results['a']['raw']:+.1%} "
          f"to a quote; the rest of (c) is the per-plugin timing)")
    caller_per = (caller_20 - caller_0) / N_PLUGINS
    print(f"pluggy's caller alone: {N_PLUGINS} no-op implementations {caller_20:.2f} us, none "
          f"{caller_0:.2f} us: {caller_per:.3f} us each, "
          f"{caller_per * N_PLUGINS / results['a']['raw']:+.1%} of a bare quote "
          f"(a plain loop: {direct_20 / N_PLUGINS:.3f} us each)")
    for key in ("a", "c"):
        if "lookup" in results[key]:
            print(f"per request, enablement lookup ({results[key]['label']}): "
                  f"{results[key]['lookup']:.1f} us (new app context + plugin_state SELECT)")

    a, c, d = results["a"], results["c"], results["d"]
    summary = {}
    print()
    for mode, title in (("raw", "raw pm.hook"), ("shop", "EnabledHooks")):
        per_noop = (c[mode] - a[mode]) / N_PLUGINS
        rel_noop = (c[mode] - a[mode]) / a[mode] * 100
        per_adj = (d[mode] - a[mode]) / N_PLUGINS
        summary[mode] = {"per_noop": per_noop, "rel_noop": rel_noop, "per_adj": per_adj,
                         "delta_noop": c[mode] - a[mode]}
        print(f"{title:13}: per no-op plugin ((c)-(a))/{N_PLUGINS} = {per_noop:.3f} us; "
              f"{N_PLUGINS} no-op plugins add {rel_noop:+.1f}% to a quote "
              f"(goal < 10%: {'met' if rel_noop < 10 else 'MISSED'}); "
              f"per adjusting plugin ((d)-(a))/{N_PLUGINS} = {per_adj:.3f} us")
    print()
    return {"rows": results, "summary": summary, "resolve_0": resolve_0,
            "resolve_20": resolve_20, "make_20": make_20, "direct_20": direct_20,
            "untimed_20": untimed_20}


# --------------------------------------------------------------------------- part 2


def fill_cart(client) -> None:
    for sku, slug in CART_PRODUCTS:
        response = post_form(client, f"/products/{slug}", "/cart/add",
                             {"sku": sku, "quantity": "1"})
        assert response.status_code in (302, 303), f"add {sku}: {response.status_code}"


def get_checkout(client) -> str:
    response = client.get("/checkout")
    assert response.status_code == 200, f"GET /checkout answered {response.status_code}"
    return response.get_data(as_text=True)


def time_gets(clients: dict, count: int, rounds: int = 10) -> dict[str, list[float]]:
    """ms per GET /checkout, in blocks of count/rounds requests, alternating the clients."""
    block = max(1, count // rounds)
    blocks: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(rounds):
        for name, client in clients.items():
            start = time.perf_counter()
            for _ in range(block):
                get_checkout(client)
            blocks[name].append((time.perf_counter() - start) / block * 1000)
    return blocks


def place_order(client) -> float:
    """ms of the POST that places the order; the cart is re-filled (untimed) first."""
    fill_cart(client)
    data = {"name": "Bench Shopper", "address": "1 Bench Street",
            "email": "bench@example.com", **hidden_inputs(get_checkout(client))}
    start = time.perf_counter()
    response = client.post("/checkout", data=data)
    elapsed = time.perf_counter() - start
    assert response.status_code == 303 and "/orders/" in response.headers["Location"], (
        f"checkout POST answered {response.status_code} {response.headers.get('Location')}")
    return elapsed * 1000


def time_posts(clients: dict, count: int) -> dict[str, list[float]]:
    """ms per order-placing POST /checkout, alternating the clients order by order."""
    times: dict[str, list[float]] = {name: [] for name in clients}
    for _ in range(count):
        for name, client in clients.items():
            times[name].append(place_order(client))
    return times


def print_top(stats: pstats.Stats, index: int, title: str) -> list[tuple]:
    rows = sorted(stats.stats.items(), key=lambda item: item[1][index], reverse=True)
    print(f"-- top {TOP} by {title} --")
    print(f"{'ncalls':>9} {'tottime':>9} {'cumtime':>9}  function")
    for key, (cc, nc, tt, ct, _) in rows[:TOP]:
        calls = f"{nc}/{cc}" if nc != cc else str(nc)
        flag = "  <- hook dispatch" if is_dispatch(key) else ""
        print(f"{calls:>9} {tt:9.3f} {ct:9.3f}  {fmt_func(key)}{flag}")
    print()
    return rows


def part2(args, tmp: Path, db_path: Path) -> dict:
    print("== Part 2: the checkout request (guest, 2 products, Flask test client) ==\n")
    app20 = make_app(tmp, db_path, noop_plugins())
    app0 = make_app(tmp, db_path)
    out: dict = {}
    try:
        client20, client0 = app20.test_client(), app0.test_client()
        fill_cart(client20)
        fill_cart(client0)
        for _ in range(20):  # warm both (templates compiled, caches filled)
            get_checkout(client20)
            get_checkout(client0)

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            get_checkout(client20)
        profiler.disable()
        stats = pstats.Stats(profiler, stream=io.StringIO())
        total = stats.total_tt
        print(f"cProfile of {args.requests} GET /checkout with {N_PLUGINS} no-op plugins: "
              f"{total:.3f} s profiled ({total / args.requests * 1000:.2f} ms/request under "
              "the profiler)\n")
        print_top(stats, 3, "cumulative time")
        by_tt = print_top(stats, 2, "total (own) time")
        top5 = [fmt_func(key) for key, _ in by_tt[:5] if is_dispatch(key)]
        ranks = [i + 1 for i, (key, _) in enumerate(by_tt) if is_dispatch(key)]
        dispatch_tt = sum(v[2] for key, v in stats.stats.items() if is_dispatch(key))
        quote_key = next((k for k in stats.stats
                          if k[0].endswith("storefront/cart/pricing.py") and k[2] == "quote"), None)
        quote_calls = stats.stats[quote_key][1] / args.requests if quote_key else 0
        quote_cum = stats.stats[quote_key][3] if quote_key else 0.0
        print(f"hook dispatch ({', '.join(DISPATCH_FILES)}) among the top 5 by tottime: "
              f"{'YES: ' + ', '.join(top5) if top5 else 'no'}")
        print(f"  best rank of a dispatch function by tottime: "
              f"{ranks[0] if ranks else '-'} of {len(by_tt)}; own time of all dispatch "
              f"functions: {dispatch_tt * 1000:.1f} ms = {dispatch_tt / total * 100:.2f}% "
              "of the profile")
        for rank in ranks[:5]:
            key, (cc, nc, tt, ct, _) = by_tt[rank - 1]
            print(f"    #{rank:<4} {tt * 1000:7.2f} ms own, {ct * 1000:7.2f} ms cum, {nc:>6} calls"
                  f"  {fmt_func(key)}")
        print(f"  quote() calls per GET /checkout: {quote_calls:g}; quote() cumulative: "
              f"{quote_cum / total * 100:.2f}% of the profile\n")

        clients = {"20": client20, "0": client0}
        gets = time_gets(clients, args.requests)
        posts = time_posts(clients, args.orders)
        get20, get0 = (statistics.fmean(gets[k]) for k in ("20", "0"))
        post20, post0 = (statistics.fmean(posts[k]) for k in ("20", "0"))
        print(f"{'no profiler, ms':34}{N_PLUGINS:>3} no-op plugins{'0 plugins':>14}")
        print(f"{'GET /checkout (review page), mean':34}{get20:>13.2f} ms{get0:>11.2f} ms"
              f"   ({args.requests} each, in 10 alternating blocks)")
        print(f"{'  median of the block means':34}{statistics.median(gets['20']):>13.2f} ms"
              f"{statistics.median(gets['0']):>11.2f} ms")
        print(f"{'  fastest block':34}{min(gets['20']):>13.2f} ms{min(gets['0']):>11.2f} ms")
        print(f"{'POST /checkout (places order), mean':34}{post20:>13.2f} ms{post0:>11.2f} ms"
              f"   ({args.orders} orders each, alternating, fresh cart each)")
        print(f"{'  median':34}{statistics.median(posts['20']):>13.2f} ms"
              f"{statistics.median(posts['0']):>11.2f} ms")
        print(f"{'  fastest':34}{min(posts['20']):>13.2f} ms{min(posts['0']):>11.2f} ms\n")
        out = {"get20": get20, "get0": get0, "post20": post20, "post0": post0,
               "get20_median": statistics.median(gets["20"]),
               "post20_median": statistics.median(posts["20"]),
               "top5_dispatch": top5, "ranks": ranks, "dispatch_share": dispatch_tt / total,
               "quote_calls": quote_calls}
    finally:
        close_app(app20)
        close_app(app0)
    return out


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timeit runs per figure (best of)")
    parser.add_argument("--target", type=float, default=0.2, help="seconds per timeit run")
    parser.add_argument("--requests", type=int, default=200, help="profiled GET /checkout")
    parser.add_argument("--orders", type=int, default=100, help="orders placed per config")
    parser.add_argument("--builtin-package", default="loyalty_plugins",
                        help="package whose entry points count as built-in plugins")
    args = parser.parse_args()

    started = time.perf_counter()
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
          f"{platform.machine()}, Python {platform.python_version()} "
          f"({platform.python_implementation()}), pluggy {metadata.version('pluggy')}, "
          f"Flask {metadata.version('flask')}, SQLAlchemy {metadata.version('sqlalchemy')}\n")
    tmp = Path(tempfile.mkdtemp(prefix="bench-quote-"))
    try:
        db_path = prepare_database(tmp)
        one = part1(args, tmp, db_path)
        two = part2(args, tmp, db_path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    load_end = os.getloadavg()
    print(f"load average (1 min) at start {load[0]:.2f}, at end {load_end[0]:.2f}"
          + (": other processes were running, figures are noisier"
             if max(load[0], load_end[0]) > 0.5 else ""))
    print("\n== Conclusions ==")
    for mode, title in (("raw", "raw pm.hook"), ("shop", "EnabledHooks")):
        s = one["summary"][mode]
        print(f"{title:13}: {N_PLUGINS} no-op plugins add {s['delta_noop']:.2f} us = "
              f"{s['rel_noop']:+.1f}% of a bare quote -> goal '< 10% of a quote' "
              f"{'met' if s['rel_noop'] < 10 else 'MISSED'}; that is "
              f"{s['delta_noop'] / (two['get20_median'] * 1000) * 100:.3f}% of a GET /checkout "
              f"and {s['delta_noop'] / (two['post20_median'] * 1000) * 100:.3f}% of a POST "
              "/checkout (medians)")
    rows = one["rows"]
    if "lookup" in rows["a"] and "lookup" in rows["c"]:
        extra = rows["c"]["lookup"] - rows["a"]["lookup"]
        print(f"per request, {N_PLUGINS} no-op plugins also add {extra:.1f} us to the enablement "
              f"lookup = {extra / (two['get20_median'] * 1000) * 100:.2f}% of a GET /checkout")
    print(f"hook dispatch among the top 5 of the checkout profile by tottime: "
          f"{'YES (goal MISSED)' if two['top5_dispatch'] else 'no (goal met)'}")
    print(f"\nwhole run: {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
