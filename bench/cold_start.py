"""CPU time a new process takes to answer its first product page, with and without a setting.

    .venv/bin/python bench/cold_start.py [--set NAME=VALUE ...] [--rounds 10]

What a new gunicorn worker (or any new process of the shop) pays once before its first
answer: imports, the app factory, compiling the templates the page uses, the first queries.
Prepares the demo shop as bench_pages.py does (temporary folder, deleted at the end), then
starts --rounds pairs of fresh processes, alternating: one with the shop's settings as they
are, one with the STOREFRONT_* environment variables given by --set (``--set
GUEST_PAGE_CACHE_SIZE=0``). To compare two versions of the code, run it twice with
``PYTHONPATH`` set to each (``git archive REV | tar -x -C folder``). Each process
runs ``create_app()`` and one GET of the product page with the Flask test client; the table
gives the medians of its CPU time (user + system: steadier than wall time on a machine
others use), in all and from its first import.
"""

from __future__ import annotations

import argparse
import os
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from bench_pages import PRODUCT_PATH, prepare_database  # noqa: E402

FIRST_PAGE = f"""
import sys, time
started = time.process_time()
from storefront import create_app
client = create_app(instance_path=sys.argv[1]).test_client()
assert client.get({PRODUCT_PATH!r}).status_code == 200
print(time.process_time() - started)
"""


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def first_page(instance: Path, env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds of a new process: in all, and from its first import to its first page."""
    before = children_cpu()
    out = subprocess.run([sys.executable, "-c", FIRST_PAGE, str(instance)], env=env,
                         capture_output=True, text=True, check=True, timeout=300).stdout
    return children_cpu() - before, float(out.split()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                        help="a STOREFRONT_ setting for the second kind of process")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    if not 1 <= args.rounds <= 100 or not all("=" in item for item in args.set):
        parser.error("use 1-100 rounds and NAME=VALUE settings")

    tmp = Path(tempfile.mkdtemp(prefix="storefront-cold-"))
    try:
        instance = tmp / "instance"
        instance.mkdir()
        database = prepare_database(instance)
        base = {k: v for k, v in os.environ.items()
                if not k.startswith("STOREFRONT_") and k != "DATABASE_URL"}
        base |= {"STOREFRONT_ENV_NAME": "production", "DATABASE_URL": f"sqlite:///{database}",
                 "STOREFRONT_SECRET_KEY": secrets.token_urlsafe(48)}
        variants = {"as set": base,
                    "with --set": base | {f"STOREFRONT_{item.split('=', 1)[0]}":
                                          item.split("=", 1)[1] for item in args.set}}
        for env in variants.values():  # fills whatever the settings keep on disk
            first_page(instance, env)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        for round_number in range(args.rounds):
            order = list(variants) if round_number % 2 == 0 else list(variants)[::-1]
            for name in order:
                times[name].append(first_page(instance, variants[name]))
        print(f"first product page of a new process, median of {args.rounds} "
              f"(--set {' '.join(args.set) or 'nothing'})")
        print(f"{'processes':<12} {'CPU s':>13} {'from import s':>14}")
        for name, values in times.items():
            print(f"{name:<12} {statistics.median(v[0] for v in values):13.3f} "
                  f"{statistics.median(v[1] for v in values):14.3f}")
        return 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
