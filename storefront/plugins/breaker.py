"""Keep a failing or slow plugin from holding up requests: a breaker per plugin and hook.

After-commit reactions (``call_fail_open``) run inside the request that changed the order
(a webhook, a checkout, an admin action). When one plugin's reaction to one hook failed or
was slow ``PLUGIN_BREAKER_FAILURES`` times in a row in this worker process, its breaker
opens: for ``PLUGIN_BREAKER_COOLDOWN`` seconds that reaction is not called in requests but
stored at once for the job ``core:retry-failed-reactions``, which runs outside requests.
Then one call is tried again: a success closes the breaker, a failure opens it for another
cooldown. Slow means longer than ``PLUGIN_REACTION_SLOW_SECONDS``; a slow call's work
stands (it succeeded), it only counts against the breaker. A Python call cannot be cut off
while it runs, so the first slow calls still take as long as they take.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import current_app

EXTENSION = "storefront.breakers"


class CircuitOpen(RuntimeError):
    """Stored as the reason a reaction was left to the retry job."""


@dataclass
class _Breaker:
    failures: int = 0  # in a row
    open_until: float = 0.0


class Breakers:
    def __init__(self, threshold: int, cooldown: float, slow: float):
        self.threshold, self.cooldown, self.slow = threshold, cooldown, slow
        self._breakers: dict[tuple[str, str], _Breaker] = {}
        self._lock = threading.Lock()

    def _get(self, plugin: str, hook: str) -> _Breaker:
        return self._breakers.setdefault((plugin, hook), _Breaker())

    def refusal(self, plugin: str, hook: str) -> CircuitOpen | None:
        """Why the reaction must not be called now, or None when it may be."""
        with self._lock:
            breaker = self._get(plugin, hook)
            wait = breaker.open_until - time.monotonic()
            if wait <= 0:
                return None
        return CircuitOpen(f"not called in the request: {plugin} failed or was slow in {hook} "
                           f"{breaker.failures} times in a row; calls resume in {wait:.0f} s, "
                           "this one is left to the retry job")

    def record(self, plugin: str, hook: str, seconds: float, failed: bool) -> None:
        with self._lock:
            breaker = self._get(plugin, hook)
            if not failed and seconds <= self.slow:
                breaker.failures, breaker.open_until = 0, 0.0
                return
            breaker.failures += 1
            if breaker.failures >= self.threshold:
                breaker.open_until = time.monotonic() + self.cooldown


def breakers() -> Breakers:
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        config = current_app.config
        found = current_app.extensions[EXTENSION] = Breakers(
            int(config["PLUGIN_BREAKER_FAILURES"]), float(config["PLUGIN_BREAKER_COOLDOWN"]),
            float(config["PLUGIN_REACTION_SLOW_SECONDS"]))
    return found
