"""A member's checkout POST in one process, at several commits, side by side in one run.

    PYTHONPATH=$PWD .venv/bin/python bench/checkout_trees.py [REV ...] [--rounds 2]
        [--members 110] [--sqlite] [--profiles DIR]

Where bench_worker.py's gunicorn figures leave off: what one POST /checkout costs in CPU, how
many SQL statements it sends, how long its transaction holds the write lock (its first INSERT,
UPDATE or DELETE to its commit done) and how many Python function calls it makes, per package, on
PostgreSQL (a throwaway cluster) or, with ``--sqlite``, on a SQLite file. REV defaults to the
commit before the worker (as bench_worker.py) and the work tree (``.``). Each revision is
exported with git archive and its shop prepared as bench_worker.py prepares one (the demo,
members with a cart, the plugins both trees have); then, in a process of its own on that tree,
every member past the first 10 checks out through the Flask test client (WORKER_QUEUE a SQLite
file). Rounds alternate the order. A last pass under cProfile counts the calls (exact, unlike
the profiled times); ``--profiles DIR`` keeps its statistics, a file per revision (read them
with ``pstats``).
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

MEASURE = r'''
import collections, cProfile, json, pstats, re, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import bench_worker
from benchlib import make_app
from sqlalchemy import event
from sqlalchemy.orm import Session
import storefront
from storefront.extensions import db

url, folder, members, plugins, profile = (sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]),
                                          json.loads(sys.argv[5]), sys.argv[6] == "1")
tree = Path(storefront.__file__).parent.parent
folder.mkdir(parents=True, exist_ok=True)
spec = folder / "spec.json"
spec.write_text(json.dumps({"url": url, "instance": str(folder / "instance"),
                            "content": str(tree / "content"), "members": members, "staff": 1,
                            "out": str(folder / "out.json"), "plugins": plugins}))
bench_worker.prepare(str(spec))
prepared = json.loads((folder / "out.json").read_text())
app = make_app(url, folder / "instance", tree / "content", ENV_NAME="production",
               WORKER_QUEUE=f"sqlite:///{folder}/queue.sqlite3")
with app.app_context():
    engine = db.engine
counting = [False]
statements = collections.Counter()


first_write = [None]
held = []


def count(_conn, _cursor, statement, *_args):
    statements["sent"] += counting[0]
    if first_write[0] is None and statement.lstrip()[:6].upper() in ("INSERT", "UPDATE",
                                                                     "DELETE"):
        first_write[0] = time.perf_counter()


def committed(*_args):
    if first_write[0] is not None:
        if counting[0]:
            held.append(time.perf_counter() - first_write[0])
        first_write[0] = None


event.listen(engine, "before_cursor_execute", count)
event.listen(Session, "after_commit", committed)
profiler = cProfile.Profile()
cpu = []
for i, member in enumerate(prepared["members"]):
    client = app.test_client()
    name, _, value = member["cookie"].partition("=")
    client.set_cookie(name, value, domain="localhost")
    counting[0] = i >= 10
    if counting[0] and profile:
        profiler.enable()
    began = time.process_time()
    answer = client.post("/checkout", data=member["form"], headers={"Origin": "http://localhost"})
    spent = time.process_time() - began
    profiler.disable()
    assert answer.status_code == 303, answer.status_code
    if counting[0]:
        cpu.append(spent)
calls = collections.Counter()
if profile:
    profiler.dump_stats(folder / "profile.pstats")
    for (path, _line, fn), (_cc, count, *_rest) in pstats.Stats(profiler).stats.items():
        found = (re.search(r"site-packages/([^/]+)", path)
                 or re.search(r"/((?:storefront|hooks|loyalty_plugins)/[^/]+)", path))
        calls[found.group(1) if found else ("builtins" if path == "~" else "stdlib")] += count
print(json.dumps({"cpu": cpu, "held": held, "statements": statements["sent"] / len(cpu),
                  "calls": {k: v / len(cpu) for k, v in calls.items()}}))
'''


def run_tree(tree: Path, url: str, folder: Path, members: int, plugins: list[str],
             profile: bool) -> dict:
    done = subprocess.run([sys.executable, "-c", MEASURE, str(BENCH), url, str(folder),
                           str(members), json.dumps(plugins), "1" if profile else "0"],
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)}, cwd=tree,
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"{tree}: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def database(cluster, folder: Path) -> Iterator[str]:
    if cluster is None:
        folder.mkdir(parents=True, exist_ok=True)
        yield f"sqlite:///{folder}/shop.sqlite3"
    else:
        with cluster.database(folder.name) as url:
            yield url


def main() -> int:
    from bench_contract import git
    from bench_worker import default_base, extract, plugins_in, stub_missing_plugins

    from tests.support import postgres

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revs", nargs="*")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--members", type=int, default=110)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file per run")
    parser.add_argument("--profiles", type=Path, help="keep the cProfile statistics here")
    args = parser.parse_args()
    revs = args.revs or [git("rev-parse", "--short", default_base()), "."]
    work = Path(tempfile.mkdtemp(prefix="checkout-trees-"))
    cluster = None if args.sqlite else postgres.start_cluster()
    try:
        trees = {}
        for n, rev in enumerate(revs):
            if rev == ".":
                trees[rev] = BENCH.parent
            else:
                extract(rev, work / f"tree{n}")
                trees[rev] = work / f"tree{n}"
        plugins = sorted(set.intersection(*(set(plugins_in(t)) for t in trees.values())))
        for tree in trees.values():
            if tree != BENCH.parent:
                stub_missing_plugins(tree)
        results: dict[str, list] = collections.defaultdict(list)
        for number in range(args.rounds + 1):  # the last round counts calls
            order = revs if number % 2 == 0 else revs[::-1]
            for rev in order:
                name = f"r{number}_{revs.index(rev)}"
                with database(cluster, work / name) as url:
                    results[rev].append(run_tree(trees[rev], url, work / name, args.members,
                                                 plugins, number == args.rounds))
                if args.profiles and number == args.rounds:
                    args.profiles.mkdir(parents=True, exist_ok=True)
                    shutil.copy(work / name / "profile.pstats",
                                args.profiles / f"{rev.replace('/', '_')}.pstats")
                print(f"round {number + 1}, {rev}: done", flush=True)
        kind = "SQLite" if cluster is None else "PostgreSQL"
        print(f"\nPOST /checkout, one process, {kind}, plugins on: {', '.join(plugins)}; "
              f"{args.members - 10} checkouts a round, {args.rounds} rounds")
        print("| | " + " | ".join(f"`{r}`" for r in revs) + " |")
        print("|---|" + "--:|" * len(revs))
        cpu = {r: statistics.median(statistics.median(x["cpu"]) * 1000
                                    for x in results[r][:-1]) for r in revs}
        print("| CPU ms, median | " + " | ".join(f"{cpu[r]:.2f}" for r in revs) + " |")
        held = {r: statistics.median(statistics.median(x["held"]) * 1000
                                     for x in results[r][:-1]) for r in revs}
        print("| write lock held (first write to commit done), ms, median | "
              + " | ".join(f"{held[r]:.2f}" for r in revs) + " |")
        print("| SQL statements | " + " | ".join(f"{results[r][-1]['statements']:.0f}"
                                                for r in revs) + " |")
        calls = {r: results[r][-1]["calls"] for r in revs}
        print("| Python calls | " + " | ".join(f"{sum(calls[r].values()):,.0f}" for r in revs)
              + " |")
        first, last = calls[revs[0]], calls[revs[-1]]
        for package in sorted(set(first) | set(last),
                              key=lambda p: -abs(last.get(p, 0) - first.get(p, 0)))[:12]:
            print(f"| calls in {package} | " + " | ".join(f"{calls[r].get(package, 0):,.0f}"
                                                        for r in revs) + " |")
    finally:
        if cluster is not None:
            cluster.stop()
        subprocess.run(["rm", "-rf", str(work)], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
