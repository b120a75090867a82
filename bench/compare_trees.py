"""In-process page cost of several versions of the shop, side by side in one run.

    .venv/bin/python bench/compare_trees.py REV [REV ...] [--rounds 15] [--requests 200]

Each REV is a git revision of this repository (a commit, a branch, ``HEAD~1``), or ``.`` for
the working tree as it is. Each revision is exported (``git archive``) to a temporary folder
and gets a process of its own, with ``PYTHONPATH`` set to that folder, that prepares the demo
shop and the targets of bench/inprocess_pages.py (this tree's copy) once. Then, --rounds
times, every process in turn (the order rotates each round) times --requests requests of
every target, so that a busy machine slows every version alike. The figures are the CPU time
of each process (``time.process_time``; --wall for wall time), which others' work on the
machine disturbs far less than wall time. The table gives, per page and
version, the median µs per request over the rounds and the median of the per-round ratios to
the first version. The temporary folders are removed at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"

WORKER = """
import json, shutil, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from inprocess_pages import build_targets
tmp = Path(tempfile.mkdtemp(prefix="storefront-compare-"))
try:
    targets = build_targets(tmp, time.process_time if sys.argv[2] == "cpu" else time.perf_counter)
    print("ready", flush=True)
    for line in sys.stdin:  # a number of requests per target, or the end
        if not line.strip().isdigit():
            break
        print(json.dumps({name: run(int(line)) for name, run in targets.items()}), flush=True)
finally:
    shutil.rmtree(tmp, ignore_errors=True)
"""


def export(revision: str, folder: Path) -> Path:
    """The source tree of ``revision`` (``.``: the working tree itself)."""
    if revision == ".":
        return ROOT
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True,
                             check=True, timeout=120).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True, timeout=120)
    return folder


def start_worker(tree: Path, clock: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("STOREFRONT_") and k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(tree)
    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(BENCH), clock], cwd=tree, env=env,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return worker


def read_line(worker: subprocess.Popen, revision: str) -> str:
    line = worker.stdout.readline()
    if not line:
        raise RuntimeError(f"the process of {revision} stopped (exit {worker.wait(60)})")
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("revisions", nargs="+", metavar="REV")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--wall", action="store_true",
                        help="wall time instead of each process's CPU time (the default: "
                             "steadier on a machine others use)")
    args = parser.parse_args()
    if not 1 <= args.rounds <= 200 or not 1 <= args.requests <= 10_000:
        parser.error("use 1-200 rounds of 1-10,000 requests")

    revisions = args.revisions
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # clean up on kill too
    tmp = Path(tempfile.mkdtemp(prefix="storefront-trees-"))
    workers: dict[str, subprocess.Popen] = {}
    try:
        for index, revision in enumerate(revisions):
            workers[revision] = start_worker(export(revision, tmp / str(index)),
                                             "wall" if args.wall else "cpu")
            while read_line(workers[revision], revision).strip() != "ready":
                pass  # what preparing the shop prints
        results: dict[str, list[dict[str, float]]] = {r: [] for r in revisions}
        for round_number in range(args.rounds):
            shift = round_number % len(revisions)
            for revision in revisions[shift:] + revisions[:shift]:
                workers[revision].stdin.write(f"{args.requests}\n")
                workers[revision].stdin.flush()
                results[revision].append(json.loads(read_line(workers[revision], revision)))
            print(f"round {round_number + 1}: " + json.dumps(
                {r: {k: round(v) for k, v in results[r][-1].items()} for r in revisions}),
                flush=True)

        first = revisions[0]
        clock = "wall time" if args.wall else "CPU time of the process"
        print(f"\n{clock}, µs per request, median of {args.rounds} rounds of "
              f"{args.requests} requests; (ratio): median of the per-round ratios to {first}")
        print(f"{'page':<14}" + "".join(f" {r:>22}" for r in revisions))
        for name in results[first][0]:
            cells = []
            for revision in revisions:
                mine = [r[name] for r in results[revision]]
                ratio = statistics.median(a / b for a, b in zip(
                    mine, (r[name] for r in results[first]), strict=True))
                cells.append(f"{statistics.median(mine):9.1f} ({ratio:5.3f})")
            print(f"{name:<14}" + "".join(f" {cell:>22}" for cell in cells))
        return 0
    finally:
        for worker in workers.values():
            if worker.poll() is None:
                worker.stdin.close()
                try:
                    worker.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    worker.kill()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
