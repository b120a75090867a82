"""How long each plugin takes in each hook, and how often it fails.

Each plugin is registered in pluggy through a ``Timed`` stand-in whose hook implementations
are the plugin's own, each inside a stopwatch (pluggy sees ordinary functions; wrappers pass
through untimed, since their time includes the calls they wrap). A call slower than
PLUGIN_HOOK_BUDGET_MS is logged as a warning as soon as it returns. Each process counts its
calls and, at most every PLUGIN_TIMINGS_FLUSH_SECONDS, after a request or a task, counts
them into the hour's log-scale buckets and writes them to ``plugin_hook_timing`` on a
connection of its own (calls are counted in the hour they are written);
Admin -> Plugins merges the rows of every process and host into p50 and p99.
"""

from __future__ import annotations

import functools
import logging
import math
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pluggy
from sqlalchemy import delete, insert, select, update

from storefront.plugins.models import HookTiming
from storefront.timeutil import utcnow

log = logging.getLogger("storefront.plugins.timing")

STEPS_PER_DOUBLING = 4  # bucket edges 19 % apart
KEEP_DAYS = 8
_SMALLEST_MS = 0.001  # calls faster than 1 us share bucket 0


def bucket(ms: float) -> int:
    return max(0, math.ceil(math.log2(max(ms, _SMALLEST_MS) / _SMALLEST_MS) * STEPS_PER_DOUBLING))


def bucket_top(index: int) -> float:
    """The longest time (ms) that falls in bucket ``index``."""
    return _SMALLEST_MS * 2 ** (index / STEPS_PER_DOUBLING)


@dataclass
class Tally:
    calls: int = 0
    failures: int = 0
    slowest_ms: float = 0.0
    buckets: Counter = field(default_factory=Counter)

    def add(self, ms: float, failed: bool) -> None:
        self.calls += 1
        self.failures += failed
        self.slowest_ms = max(self.slowest_ms, ms)
        self.buckets[bucket(ms)] += 1

    def merge(self, calls: int, failures: int, slowest_ms: float, buckets: dict) -> None:
        self.calls += calls
        self.failures += failures
        self.slowest_ms = max(self.slowest_ms, slowest_ms)
        self.buckets.update({int(index): count for index, count in buckets.items()})

    def quantile(self, q: float) -> float:
        """The upper edge (ms) of the bucket holding the q-th call: at most 19 % above it."""
        rank = max(1, math.ceil(q * self.calls))
        seen = 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            if seen >= rank:
                return min(bucket_top(index), self.slowest_ms)
        return self.slowest_ms


Key = tuple[datetime, str, str]  # (hour, plugin, hook)


class Stopwatch:
    """The counts of one process; ``timed`` wraps a hook implementation. A call costs a list
    append (about 1 us with the clock); the counting into buckets waits for ``flush``."""

    def __init__(self, budget_ms: float, flush_seconds: float):
        self.budget_ms = budget_ms
        self.flush_seconds = flush_seconds
        self.restart()

    def restart(self) -> None:
        """Count afresh, as a process of its own (after a fork)."""
        self.process = f"{socket.gethostname()}:{os.getpid()}:{time.time_ns()}"
        self._samples: dict[tuple[str, str], list[float]] = {}
        self._failures: Counter = Counter()
        self._tallies: dict[Key, Tally] = {}
        self._flushing = threading.Lock()
        self._last_flush = time.monotonic()
        self._pid = os.getpid()

    def timed(self, plugin: str, hook: str, function: Callable) -> Callable:
        record, clock = self.record, time.perf_counter

        @functools.wraps(function)
        def call(*args):
            started = clock()
            failed = True
            try:
                answer = function(*args)
                failed = False
                return answer
            finally:
                record(plugin, hook, (clock() - started) * 1000, failed)

        return call

    def record(self, plugin: str, hook: str, ms: float, failed: bool) -> None:
        if ms > self.budget_ms:
            log.warning("plugin %s took %.0f ms in %s, over the budget of %.0f ms "
                        "(PLUGIN_HOOK_BUDGET_MS)", plugin, ms, hook, self.budget_ms)
        key = (plugin, hook)
        samples = self._samples.get(key)
        if samples is None:
            samples = self._samples.setdefault(key, [])
        samples.append(ms)
        if failed:
            self._failures[key] += 1

    def due(self) -> bool:
        return bool(self._samples) and time.monotonic() - self._last_flush >= self.flush_seconds

    def flush(self, engine) -> None:
        """Count the calls since the last flush into this hour's buckets and write this
        process's rows of the hour; only this process writes them, so an update or an
        insert never races."""
        if os.getpid() != self._pid:  # a forked child starts its own counts
            self.restart()
            return
        if not self._flushing.acquire(blocking=False):
            return
        try:
            self._last_flush = time.monotonic()
            samples, self._samples = self._samples, {}
            failures, self._failures = self._failures, Counter()
            hour = _this_hour()
            for old in [key for key in self._tallies if key[0] < hour]:
                del self._tallies[old]
            for (plugin, hook), values in samples.items():
                tally = self._tallies.setdefault((hour, plugin, hook), Tally())
                for ms in values:
                    tally.add(ms, failed=False)
                tally.failures += failures[plugin, hook]
            try:
                self._write(engine, {(hour, *key): _row(self._tallies[(hour, *key)])
                                     for key in samples})
            except Exception as exc:  # noqa: BLE001 - counts are not worth failing a request
                log.warning("plugin hook timings not saved: %s", exc)
        finally:
            self._flushing.release()

    def _write(self, engine, rows: dict[Key, dict]) -> None:
        with engine.begin() as connection:
            for (hour, plugin, hook), values in rows.items():
                where = (HookTiming.process == self.process, HookTiming.hour == hour,
                         HookTiming.plugin == plugin, HookTiming.hook == hook)
                changed = connection.execute(update(HookTiming).where(*where).values(**values))
                if changed.rowcount == 0:
                    connection.execute(insert(HookTiming).values(
                        process=self.process, hour=hour, plugin=plugin, hook=hook, **values))
            connection.execute(delete(HookTiming).where(
                HookTiming.hour < _this_hour() - timedelta(days=KEEP_DAYS)))


def _this_hour() -> datetime:
    return utcnow().replace(minute=0, second=0, microsecond=0)


def _row(tally: Tally) -> dict:
    return {"calls": tally.calls, "failures": tally.failures, "slowest_ms": tally.slowest_ms,
            "buckets": {str(index): count for index, count in tally.buckets.items()}}


@dataclass(frozen=True)
class HookFigures:
    plugin: str
    hook: str
    calls: int
    failures: int
    p50_ms: float
    p99_ms: float
    slowest_ms: float
    over_budget: bool


def figures(session, budget_ms: float, hours: int = 24) -> list[HookFigures]:
    """Every plugin's calls per hook over the last ``hours`` hours, of every process that
    wrote its counts, slowest p99 first."""
    since = _this_hour() - timedelta(hours=hours - 1)
    merged: dict[tuple[str, str], Tally] = {}
    for row in session.execute(select(HookTiming).where(HookTiming.hour >= since)).scalars():
        merged.setdefault((row.plugin, row.hook), Tally()).merge(
            row.calls, row.failures, row.slowest_ms, row.buckets)
    found = [HookFigures(plugin, hook, tally.calls, tally.failures, tally.quantile(0.5),
                         tally.quantile(0.99), tally.slowest_ms,
                         tally.quantile(0.99) > budget_ms)
             for (plugin, hook), tally in merged.items()]
    return sorted(found, key=lambda figure: (-figure.p99_ms, figure.plugin, figure.hook))


class Timed:
    """Stands for a plugin in the plugin manager: its hook implementations, found as
    ``pm`` finds them, are attributes of this object, the plain ones timed (pluggy looks
    for them with ``inspect.getattr_static``); any other attribute is the plugin's.
    ``__wrapped__`` is the plugin itself (``inspect.unwrap``)."""

    def __init__(self, plugin: object, name: str, stopwatch: Stopwatch,
                 pm: pluggy.PluginManager):
        self.__wrapped__ = plugin
        for attribute in dir(plugin):
            opts = pm.parse_hookimpl_opts(plugin, attribute)
            if opts is None:
                continue
            function = getattr(plugin, attribute)
            if not (opts.get("wrapper") or opts.get("hookwrapper")):
                function = stopwatch.timed(name, opts.get("specname") or attribute, function)
            setattr(self, attribute, function)

    def __getattr__(self, attribute: str):
        return getattr(self.__wrapped__, attribute)

    def __repr__(self) -> str:
        return f"<timed {self.__wrapped__!r}>"
