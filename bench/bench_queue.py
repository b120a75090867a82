"""What telling the worker costs a request: one huey enqueue on the SQLite queue file, with
SQLite's default synchronous writes (an fsync per task) and with ``fsync=False`` (the shop's
setting), side by side in one run.

    .venv/bin/python bench/bench_queue.py [--tasks 2000] [--rounds 2] [--dir /path/on/the/disk]

The queue is only the worker's doorbell: the event and its deliveries are already committed
in the shop's database, and the job core:deliver finds any delivery the worker was not told
of (UNTOLD_AFTER, 30 s), so a task lost with the last writes before a power cut delays a
delivery and loses nothing. Prints microseconds of wall and CPU time per enqueue (best
round); the queue files go in a temporary folder under --dir (default: instance/).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from huey import SqliteHuey

ROOT = Path(__file__).resolve().parent.parent


def enqueue_cost(folder: Path, fsync: bool | None, tasks: int) -> tuple[float, float]:
    """(wall us, CPU us) per enqueue of a task with one integer argument."""
    huey = SqliteHuey("bench", filename=str(folder / f"queue-{fsync}.sqlite3"), results=False,
                      fsync=fsync)
    task = huey.task(name="bench.deliver_event")(lambda event_id: None)
    for number in range(50):  # the file, its tables and the WAL exist before timing
        task(number)
    cpu, wall = time.process_time(), time.perf_counter()
    for number in range(tasks):
        task(number)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    huey.storage.close()
    return wall / tasks * 1e6, cpu / tasks * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--dir", type=Path, default=ROOT / "instance")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-queue-", dir=args.dir))
    try:
        best: dict[str, tuple[float, float]] = {}
        for _ in range(args.rounds):
            for label, fsync in (("fsync per task (SQLite default)", None),
                                 ("fsync=False (the shop)", False)):
                wall, cpu = enqueue_cost(folder, fsync, args.tasks)
                if label not in best or wall < best[label][0]:
                    best[label] = (wall, cpu)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"{args.tasks} enqueues per round, best of {args.rounds}, on {args.dir}")
    print(f"{'':34}{'wall us':>10}{'CPU us':>10}")
    for label, (wall, cpu) in best.items():
        print(f"{label:34}{wall:10.0f}{cpu:10.0f}")
    (slow, _), (fast, _) = best.values()
    print(f"ratio (default / shop): {slow / fast:.1f}x")


if __name__ == "__main__":
    main()
