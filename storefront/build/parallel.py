"""Render many pages on every CPU: worker processes forked from the built app.

Forking copies the app as it is (templates compiled, plugins loaded), so a worker starts in
milliseconds; each opens its own database connections. Pages come back in order. Few pages
(an incremental build) are rendered in this process: a fork would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from flask import Flask

from storefront.build.render import PageFetcher

MIN_PAGES_PER_WORKER = 100
_fetcher: PageFetcher | None = None  # set before the fork; what each worker renders with


def default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (
        os.cpu_count() or 1)


def _fork_available() -> bool:
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def _own_connections(app: Flask) -> None:
    from storefront.extensions import db

    with app.app_context():
        db.engine.dispose(close=False)  # the parent's connections stay the parent's


def _fetch(key: str) -> bytes:
    assert _fetcher is not None
    return _fetcher.fetch(key)


def render(app: Flask, fetcher: PageFetcher, keys: list[str], jobs: int) -> Iterator[bytes]:
    """The pages' bodies, in the order of ``keys``."""
    global _fetcher
    jobs = min(jobs, len(keys) // MIN_PAGES_PER_WORKER)
    if jobs < 2 or not _fork_available():
        yield from (fetcher.fetch(key) for key in keys)
        return
    _fetcher = fetcher
    try:
        # A worker that dies makes map() raise (BrokenProcessPool) instead of waiting forever.
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                 initializer=_own_connections, initargs=(app,)) as pool:
            yield from pool.map(_fetch, keys, chunksize=16)
    finally:
        _fetcher = None
