"""Parse, render and write many pages on every CPU, in a pool of worker processes forked
from this one (``concurrent.futures.ProcessPoolExecutor``).

Forking copies the app as it is (templates compiled, plugins loaded), so a worker starts in
milliseconds; each opens its own database connections. Results come back in order. Few items
(an incremental build) are handled in this process alone: a fork would cost more than it
saves.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from flask import Flask

    from storefront.build.render import PageFetcher

MIN_PAGES_PER_PROCESS = 100
CHUNK = 16  # items sent to a worker at a time: about 10 ms of pages
T = TypeVar("T")
R = TypeVar("R")
# What rendering uses, set before the fork (a fetcher holds the app: workers inherit it,
# it is never pickled).
_fetcher: PageFetcher | None = None
_out: Path | None = None

# A page to render: its key, its language ("" for the only one), its output file.
PageJob = tuple[str, str, str]


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def _own_connections(app: Flask | None) -> None:
    if app is None:
        return
    from storefront.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)  # the parent's connections stay the parent's


def run(func: Callable[[T], R], items: list[T], jobs: int, app: Flask | None = None,
        warm: Collection[int] = ()) -> Iterator[R]:
    """``func(item)`` for every item, in order: in ``jobs`` forked worker processes when
    there are enough items, else here. Pass ``app`` when ``func`` uses the database (each
    worker then opens its own connections).

    The items at the indices ``warm`` are done here first, before the fork: what they load
    on first use (compiled templates and SQL, the Markdown parser) is then inherited by every
    worker instead of being loaded again in each."""
    jobs = min(jobs, len(items) // MIN_PAGES_PER_PROCESS)
    if jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(func, items)
        return
    early = {i: func(items[i]) for i in sorted(set(warm)) if 0 <= i < len(items)}
    rest = [item for i, item in enumerate(items) if i not in early]
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=_own_connections, initargs=(app,))
    try:
        done = pool.map(func, rest, chunksize=CHUNK)
        for i in range(len(items)):
            yield early[i] if i in early else next(done)
    finally:
        pool.shutdown(cancel_futures=True)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_file(out: Path, rel: str, data: bytes) -> None:
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _produce(job: PageJob) -> bool:
    """Render a page and write its file unless the file holds those bytes already (a page
    rendered again the same keeps its file and its time); whether it was written."""
    assert _fetcher is not None and _out is not None
    key, language, rel = job
    body = _fetcher.fetch(key, language)
    try:
        if (_out / rel).read_bytes() == body:
            return False
    except OSError:  # no such file yet
        pass
    write_file(_out, rel, body)
    return True


def render(app: Flask, fetcher: PageFetcher, out: Path, pages: list[PageJob],
           jobs: int) -> Iterator[bool]:
    """Per page, in order: whether its file was written. Workers render and write the files
    themselves."""
    global _fetcher, _out
    _fetcher, _out = fetcher, out
    first: dict[str, int] = {}  # the first page of each kind (listing, product, plugin...)
    for index, (key, *_rest) in enumerate(pages):
        first.setdefault(key.split("?", 1)[0].split("/", 2)[1], index)
    try:
        yield from run(_produce, pages, jobs, app, warm=first.values())
    finally:
        _fetcher = _out = None
