"""The plugin manager: discovery through the entry-point group, and safe hook calls."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import pluggy
from flask import Flask, current_app

import hooks
from hooks import specs

log = logging.getLogger(__name__)


def build_manager(extra_plugins: Iterable[object] = (), load_entry_points: bool = True):
    pm = pluggy.PluginManager(hooks.PROJECT_NAME)
    pm.add_hookspecs(specs)
    if load_entry_points:
        pm.load_setuptools_entrypoints(hooks.ENTRY_POINT_GROUP)
    for plugin in extra_plugins:
        pm.register(plugin)
    return pm


def init_app(app: Flask) -> None:
    app.extensions["storefront.plugins"] = build_manager(
        app.config.get("EXTRA_PLUGINS", ()),
        load_entry_points=app.config.get("LOAD_ENTRY_POINT_PLUGINS", True),
    )


def manager(app: Flask | None = None) -> pluggy.PluginManager:
    return (app or current_app).extensions["storefront.plugins"]


def call_fail_open(hook_name: str, **kwargs: Any) -> list[tuple[str, Exception]]:
    """Call every implementation of a reacting hook, one by one.

    pluggy stops at the first exception; a hook that reacts after commit must not let one
    faulty plugin silence the others, so each implementation runs on its own and failures
    are logged with the plugin's name and returned.
    """
    pm = manager()
    caller = getattr(pm.hook, hook_name)
    failures: list[tuple[str, Exception]] = []
    for impl in reversed(caller.get_hookimpls()):
        try:
            impl.function(**{name: kwargs[name] for name in impl.argnames})
        except Exception as exc:  # noqa: BLE001 - a plugin's fault must not undo the order
            log.exception("plugin %s failed in %s", impl.plugin_name, hook_name)
            failures.append((impl.plugin_name, exc))
    return failures
