"""gunicorn as `storefront serve` runs it (the app created once, in the master, and forked:
``storefront/gunicorn_conf.py``) against gunicorn creating the app in every worker.

    .venv/bin/python bench/bench_serve.py [--rounds 5]

One run, the two ways taking turns, on one SQLite shop with every built-in plugin on
(temporary folder, removed at the end). For each way and round:

1. start: ``--workers 2`` from the command to the first answered home page (wall s), then,
   once the processes are idle, the CPU seconds the master and its workers have used, and
   the memory they take together (the sum of each one's PSS: pages shared by forked
   processes are counted once);
2. a worker killed (SIGKILL, ``--workers 1``): from the kill to the next answered home page
   (wall s), which is what a worker that ``--timeout`` killed costs the shoppers waiting.

Prints the medians side by side.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchlib import SECRET, prepare_shop  # noqa: E402

from storefront.cli import GUNICORN_CONFIG  # noqa: E402

WAYS = {"app in every worker": ["storefront.wsgi:app"],
        "storefront serve (forked)": ["--config", GUNICORN_CONFIG]}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def wait_until_answered(url: str, deadline: float = 60) -> float:
    started = time.perf_counter()
    while not answers(url):
        if time.perf_counter() - started > deadline:
            raise RuntimeError(f"{url} did not answer in {deadline} s")
        time.sleep(0.005)
    return time.perf_counter() - started


def group(master: int) -> list[int]:
    """The master and its workers."""
    found = [master]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == master:
                found.append(int(entry.name))
    return found


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def pss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total / 1024


def idle_cpu(pids: list[int]) -> float:
    """The group's CPU seconds once it stops using any (workers done creating the app)."""
    last = cpu_seconds(pids)
    while True:
        time.sleep(0.5)
        now = cpu_seconds(pids)
        if now - last < 0.02:
            return now
        last = now


def serve(way: list[str], workers: int, env: dict, log) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *way, "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True)
    return process, f"http://127.0.0.1:{port}/"


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def start_figures(way: list[str], env: dict, log) -> tuple[float, float, float]:
    started = time.perf_counter()
    process, url = serve(way, 2, env, log)
    try:
        wait_until_answered(url)
        first = time.perf_counter() - started
        while len(group(process.pid)) < 3:
            time.sleep(0.05)
        pids = group(process.pid)
        return first, idle_cpu(pids), pss_mb(pids)
    finally:
        stop(process)


def replacement_seconds(way: list[str], env: dict, log) -> float:
    process, url = serve(way, 1, env, log)
    try:
        wait_until_answered(url)
        [worker] = group(process.pid)[1:]
        os.kill(worker, signal.SIGKILL)
        return wait_until_answered(url)  # the request waits for the new worker to take it
    finally:
        stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    try:
        url = f"sqlite:///{tmp / 'shop.sqlite3'}"
        plugins = sorted(entry.name for entry in metadata.entry_points(group="storefront.plugins")
                         if entry.value.startswith("loyalty_plugins."))
        prepare_shop(url, tmp / "instance", plugins)
        env = {**os.environ, "STOREFRONT_SECRET_KEY": SECRET, "DATABASE_URL": url,
               "STOREFRONT_CONTENT_DIR": str(ROOT / "content"),
               "STOREFRONT_WORKER_QUEUE": f"sqlite:///{tmp / 'queue.sqlite3'}",
               "PYTHONPATH": str(ROOT)}
        results: dict[str, dict[str, list[float]]] = {
            name: {"first": [], "cpu": [], "pss": [], "replace": []} for name in WAYS}
        with open(tmp / "gunicorn.log", "w") as log:
            for round_ in range(args.rounds):
                for name, way in (WAYS.items() if round_ % 2 == 0
                                  else reversed(WAYS.items())):
                    first, cpu, pss = start_figures(way, env, log)
                    replace = replacement_seconds(way, env, log)
                    for key, value in (("first", first), ("cpu", cpu), ("pss", pss),
                                       ("replace", replace)):
                        results[name][key].append(value)
                    print(f"round {round_ + 1}, {name}: first answer {first:.2f} s, CPU "
                          f"{cpu:.2f} s, PSS {pss:.0f} MB, replaced in {replace:.3f} s",
                          flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    names = list(WAYS)
    print(f"\nmedians of {args.rounds} rounds, {os.cpu_count()} CPUs, "
          f"{len(plugins)} plugins on, SQLite")
    print(f"{'':42} {names[0]:>22} {names[1]:>26}")
    for key, label, unit in (("first", "start, to the first answer (2 workers)", "s"),
                             ("cpu", "start, CPU of master + 2 workers", "s"),
                             ("pss", "memory of master + 2 workers (PSS)", "MB"),
                             ("replace", "a killed worker, to the next answer", "s")):
        a, b = (statistics.median(results[name][key]) for name in names)
        print(f"{label:42} {a:>20.3f} {unit} {b:>24.3f} {unit}  ({b / a:.2f}x)")


if __name__ == "__main__":
    main()
