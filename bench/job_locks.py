"""How long each scheduled job holds SQLite's one write lock, at several commits side by side.

    .venv/bin/python bench/job_locks.py [REV ...]

While a job holds the write lock, every page that writes (a checkout, a log-in, a card issued
on the account page) waits for it, and gives up after SQLite's busy timeout (10 s). For each
REV (a git revision, or ``.`` for the working tree; default ``HEAD .``) the tree is exported
(bench/compare_trees.py), a fresh demo shop is prepared in a process of its own
(``storefront demo --no-serve``: 2,001 customers, 7,532 orders), and every job the demo's
worker runs first is run once, in the worker's order. The table gives each job's run time and
its longest write-lock hold (its first INSERT, UPDATE or DELETE to the end of that
transaction), in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from compare_trees import export

MEASURE = r'''
import collections, json, sys, time
from sqlalchemy import event
from storefront import create_app
from storefront.extensions import db
from storefront.jobs import run_key, scheduled_jobs

app = create_app(instance_path=sys.argv[1])
holds, started, current = collections.defaultdict(float), {}, ["?"]

def before(conn, _cursor, statement, *_args):
    if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
        started.setdefault(id(conn.connection.dbapi_connection), time.perf_counter())

def ended(conn):
    began = started.pop(id(conn.connection.dbapi_connection), None)
    if began is not None:
        holds[current[0]] = max(holds[current[0]], time.perf_counter() - began)

figures = {}
with app.app_context():
    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "commit", ended)
    event.listen(db.engine, "rollback", ended)
    for job in scheduled_jobs():
        current[0] = job.key
        began = time.perf_counter()
        run_key(job.key)
        figures[job.key] = [time.perf_counter() - began, holds[job.key]]
print(json.dumps(figures))
'''


def measure(tree: Path, folder: Path) -> dict[str, list[float]]:
    folder.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STOREFRONT_")}
    env.update(PYTHONPATH=str(tree), STOREFRONT_SQLALCHEMY_DATABASE_URI=(
                   f"sqlite:///{folder / 'demo.sqlite3'}"),
               STOREFRONT_WORKER_QUEUE="memory",  # messages queued, not sent: not timed
               STOREFRONT_MAIL_BACKEND="file", STOREFRONT_MAIL_FILE_DIR=str(folder / "mail"))
    run = {"cwd": tree, "env": env, "check": True, "timeout": 900}
    subprocess.run([sys.executable, "-m", "storefront.cli", "demo", "--no-serve"],
                   capture_output=True, **run)
    out = subprocess.run([sys.executable, "-c", MEASURE, str(folder / "instance")],
                         capture_output=True, text=True, **run).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("revisions", nargs="*", default=["HEAD", "."])
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="storefront-locks-"))
    try:
        results = {}
        for n, revision in enumerate(args.revisions):
            tree = export(revision, tmp / f"tree-{n}")
            results[revision] = measure(tree, tmp / f"shop-{n}")
            print(f"measured {revision}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    jobs = list(dict.fromkeys(job for figures in results.values() for job in figures))
    head = "".join(f" | {rev[:12]:>12} run | {'hold':>6}" for rev in args.revisions)
    print(f"{'job':28}{head}")
    for job in jobs:
        cells = "".join(f" | {results[rev].get(job, [0, 0])[0]:14.2f} | "
                        f"{results[rev].get(job, [0, 0])[1]:6.2f}" for rev in args.revisions)
        print(f"{job:28}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
