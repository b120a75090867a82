"""In-process page cost of two versions of the shop, side by side in one run.

    .venv/bin/python bench/compare_trees.py BEFORE [AFTER] [--rounds 5] [--requests 200]

BEFORE and AFTER are git revisions (a commit, a branch, ``HEAD~1``) of this repository;
AFTER defaults to the working tree as it is. Each revision is exported (``git archive``) to a
temporary folder, and bench/inprocess_pages.py (this tree's copy) runs against each in turn,
with ``PYTHONPATH`` set to that folder, --rounds times, alternating, so that a busy machine
slows both alike. The table gives, per page, the median over the rounds of each version's
best-of-batches figure and the saving. The temporary folders are removed at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INPROCESS = ROOT / "bench" / "inprocess_pages.py"
LINE_RE = re.compile(r"^(\S+)\s+([\d.]+) µs/request", re.M)


def export(revision: str | None, folder: Path) -> Path:
    """The source tree of ``revision`` (None: the working tree itself)."""
    if revision is None:
        return ROOT
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True,
                             check=True, timeout=120).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True, timeout=120)
    return folder


def measure(tree: Path, requests: int, repeats: int) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("STOREFRONT_") and k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(tree)
    out = subprocess.run([sys.executable, str(INPROCESS), "--requests", str(requests),
                          "--repeats", str(repeats)], cwd=tree, env=env, capture_output=True,
                         text=True, timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(f"inprocess_pages.py failed on {tree}:\n{out.stderr[-3000:]}")
    return {name: float(value) for name, value in LINE_RE.findall(out.stdout)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after", nargs="?", help="default: the working tree")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if not 1 <= args.rounds <= 50:
        parser.error("use 1-50 rounds")

    tmp = Path(tempfile.mkdtemp(prefix="storefront-compare-"))
    try:
        trees = {"before": export(args.before, tmp / "before"),
                 "after": export(args.after, tmp / "after")}
        results: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
        for round_number in range(1, args.rounds + 1):
            order = ("before", "after") if round_number % 2 else ("after", "before")
            for label in order:
                results[label].append(measure(trees[label], args.requests, args.repeats))
                figures = ", ".join(f"{k} {v:.0f}" for k, v in results[label][-1].items())
                print(f"round {round_number} {label:<6} {figures}", flush=True)
        print(f"\nbefore = {args.before}, after = {args.after or 'working tree'}; "
              f"µs per request, median of {args.rounds} rounds (each the best of "
              f"{args.repeats} batches of {args.requests})")
        print(f"{'page':<14} {'before':>8} {'after':>8} {'after/before':>13}")
        for name in results["before"][0]:
            before = statistics.median(r[name] for r in results["before"])
            after = statistics.median(r[name] for r in results["after"])
            print(f"{name:<14} {before:8.1f} {after:8.1f} {after / before:13.3f}")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
