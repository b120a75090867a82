"""What the plugin contract's dispatcher costs: this tree against an earlier commit, in one run.

    .venv/bin/python bench/bench_contract.py [--base REV] [--rounds 2] [--pages]

Checks out ``--base`` (default: the commit before "Contract v2" in the git log) into a
temporary git worktree, then runs, alternating the two trees each round so that a change in
the machine's speed falls on both alike:

- bench/bench_quote.py part 1 of each tree: a quote of a 10-line cart with 0 and with 20
  no-op pricing plugins through the shop's own hook caller, in microseconds (best of its
  runs); the goal is that 20 no-op plugins add under 10%;
- with ``--pages``, bench/bench_pages.py of each tree: the product page under gunicorn
  against the bare Flask reference (median of its runs); the goal is at least 0.7x.

Each tree's benchmark imports that tree's code (it puts its own root first on sys.path) with
this virtual environment's packages. Prints both trees side by side; removes the worktree.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUOTE_ROW = re.compile(r"^\((?P<key>[ac])\) .*?\s(?P<raw>[\d.]+) us\s+(?P<shop>[\d.]+) us", re.M)


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, text=True,
                          capture_output=True, timeout=60).stdout.strip()


def default_base() -> str:
    first = git("log", "--format=%H", "--grep=^Contract v2", "--reverse").splitlines()
    return f"{first[0]}~1" if first else "HEAD~1"


def run(tree: Path, script: str, *args: str) -> str:
    result = subprocess.run([sys.executable, str(tree / "bench" / script), *args], cwd=tree,
                            env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
                            text=True, capture_output=True, timeout=1800)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{script} failed in {tree}:\n{result.stdout[-2000:]}"
                         f"{result.stderr[-2000:]}")
    return result.stdout


def quote_figures(tree: Path) -> dict[str, float]:
    out = run(tree, "bench_quote.py", "--runs", "5", "--target", "0.2", "--requests", "5",
              "--orders", "5")
    rows = {m["key"]: m for m in QUOTE_ROW.finditer(out)}
    return {"0 plugins": float(rows["a"]["shop"]), "20 no-op": float(rows["c"]["shop"])}


def page_ratio(tree: Path) -> float:
    run(tree, "bench_pages.py", "--duration", "5", "--runs", "3", "--warmup", "2")
    report = json.loads((tree / "bench" / "out" / "bench_pages.json").read_text())
    return report["ratios"]["product"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default=None, help="the commit to compare against")
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds (1-5)")
    parser.add_argument("--pages", action="store_true", help="also run bench_pages.py")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 5:
        parser.error("use 1-5 rounds")
    base = args.base or default_base()
    folder = Path(tempfile.mkdtemp(prefix="storefront-base-"))
    worktree = folder / "tree"
    git("worktree", "add", "--detach", str(worktree), base)
    trees = {"base": worktree, "now": ROOT}
    quotes: dict[str, list[dict]] = {name: [] for name in trees}
    pages: dict[str, list[float]] = {name: [] for name in trees}
    try:
        for number in range(args.rounds):
            order = list(trees) if number % 2 == 0 else list(reversed(trees))
            for name in order:
                quotes[name].append(quote_figures(trees[name]))
                if args.pages:
                    pages[name].append(page_ratio(trees[name]))
    finally:
        git("worktree", "remove", "--force", str(worktree))
    print(f"base: {git('rev-parse', '--short', base)}   now: {git('rev-parse', '--short', 'HEAD')}"
          f"   rounds: {args.rounds}\n")
    print(f"{'figure':<44} {'base':>10} {'now':>10}")
    for label in ("0 plugins", "20 no-op"):
        best = {name: min(r[label] for r in quotes[name]) for name in trees}
        print(f"{'quote, ' + label + ' (us, best)':<44} {best['base']:>10.2f} {best['now']:>10.2f}")
    for name in trees:
        best = {label: min(r[label] for r in quotes[name]) for label in ("0 plugins", "20 no-op")}
        quotes[name] = best
    added = {name: quotes[name]["20 no-op"] / quotes[name]["0 plugins"] - 1 for name in trees}
    print(f"{'20 no-op plugins add (goal < 10%)':<44} {added['base']:>10.1%} {added['now']:>10.1%}")
    if args.pages:
        median = {name: statistics.median(pages[name]) for name in trees}
        print(f"{'product page / bare (goal >= 0.7, median)':<44} "
              f"{median['base']:>10.2f} {median['now']:>10.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
