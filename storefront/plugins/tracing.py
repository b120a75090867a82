"""Hook call tracing with timings: set STOREFRONT_TRACE_HOOKS=1 (logger storefront.hooks)."""

from __future__ import annotations

import logging
import os
import time

log = logging.getLogger("storefront.hooks")


def enabled() -> bool:
    return os.environ.get("STOREFRONT_TRACE_HOOKS", "").lower() in ("1", "true", "yes", "on")


def install(pm) -> None:
    """Time every call that goes through pluggy (the relay), per hook call."""
    if not enabled():
        return
    starts: list[float] = []

    def before(hook_name, hook_impls, kwargs):
        starts.append(time.perf_counter())

    def after(outcome, hook_name, hook_impls, kwargs):
        elapsed = (time.perf_counter() - starts.pop()) * 1000
        names = ",".join(impl.plugin_name for impl in hook_impls) or "-"
        log.info("hook %s [%s] %.3f ms", hook_name, names, elapsed)

    pm.add_hookcall_monitoring(before, after)
