"""How long `storefront demo --no-serve` takes on a fresh SQLite database, and started again:
this tree against an earlier commit (before the demo's purchase history), in one run.

    .venv/bin/python bench/bench_demo.py [--base REV] [--rounds 3]

Checks out ``--base`` (default: the commit before "Demo: a purchase history" in the git log)
into a temporary git worktree, then, alternating the two trees each round so that a change in
the machine's speed falls on both alike, runs each tree's `storefront demo --no-serve` in a
process of its own on a new SQLite file (wall time, the process's start included), then once
more on the same file. For this tree it also times the history's parts in one process: making
it (``demo_history.generate``), writing it (``demo_history.load``, which makes it again) and
the insights refresh. Prints the best of the rounds side by side; removes the worktree.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"

PARTS = """
import json, sys, time
from storefront import create_app
from storefront.database import migrate
from storefront.cli import _sync
from storefront.demo import enable_builtin_plugins, ensure_demo_accounts
from storefront.demo import history as demo_history
from storefront.timeutil import utcnow
app = create_app()
migrate.upgrade(app)
with app.app_context():
    _sync(); enable_builtin_plugins(); ensure_demo_accounts()
    today, member = utcnow().date(), ("member@demo.shop", "Mia Member")
    started = time.perf_counter()
    history = demo_history.generate(demo_history.demo_items(), today, member)
    made = time.perf_counter()
    report = demo_history.load(today, member)[1]
    written = time.perf_counter()
    assert demo_history.refresh_insights() is None
    refreshed = time.perf_counter()
print(json.dumps({"orders": report.imported, "lines": sum(len(o.lines) for o in history.orders),
                  "generate": made - started, "load": written - made,
                  "refresh": refreshed - written}))
"""


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, text=True,
                          capture_output=True, timeout=60).stdout.strip()


def default_base() -> str:
    first = git("log", "--format=%H", "--grep=^Demo: a purchase history", "--reverse")
    return f"{first.splitlines()[0]}~1" if first else "HEAD~1"


def environment(tree: Path, folder: Path) -> dict[str, str]:
    return {"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "STOREFRONT_SECRET_KEY": SECRET,
            "STOREFRONT_SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/demo.sqlite3",
            "STOREFRONT_MEDIA_DIR": str(folder / "media")}


def timed_demo(tree: Path, folder: Path) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "storefront.cli", "demo", "--no-serve"], cwd=tree,
                   env=environment(tree, folder), check=True, capture_output=True, timeout=600)
    return time.perf_counter() - started


def demo_twice(tree: Path) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="storefront-demo-") as folder:
        return {"fresh": timed_demo(tree, Path(folder)), "again": timed_demo(tree, Path(folder))}


def parts() -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="storefront-demo-") as folder:
        done = subprocess.run([sys.executable, "-c", PARTS], cwd=ROOT,
                              env=environment(ROOT, Path(folder)), check=True,
                              capture_output=True, text=True, timeout=600)
    return json.loads(done.stdout.splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=None, help="the commit to compare against")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (1-10)")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 10:
        parser.error("use 1-10 rounds")
    base = args.base or default_base()
    worktree = Path(tempfile.mkdtemp(prefix="storefront-base-")) / "tree"
    git("worktree", "add", "--detach", str(worktree), base)
    trees = {"base": worktree, "now": ROOT}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    split: list[dict[str, float]] = []
    try:
        for number in range(args.rounds):
            for name in list(trees) if number % 2 == 0 else list(reversed(trees)):
                runs[name].append(demo_twice(trees[name]))
            split.append(parts())
    finally:
        git("worktree", "remove", "--force", str(worktree))
    print(f"base: {git('rev-parse', '--short', base)}   now: {git('rev-parse', '--short', 'HEAD')}"
          f"   rounds: {args.rounds} (best of them)\n")
    print(f"{'storefront demo --no-serve (s)':<36} {'base':>8} {'now':>8}")
    for label, said in (("fresh", "a fresh database"), ("again", "started again")):
        best = {name: min(run[label] for run in runs[name]) for name in trees}
        print(f"{said:<36} {best['base']:>8.2f} {best['now']:>8.2f}")
    print(f"\nthe history in this tree ({split[0]['orders']} orders, {split[0]['lines']} lines):")
    for label in ("generate", "load", "refresh"):
        print(f"  {label:<34} {min(run[label] for run in split):>8.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
