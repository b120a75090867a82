"""SETUP hooks (``Policy.SETUP``): asked of every installed plugin, enabled or not, one
plugin at a time, while the shop starts or a command runs. A failure names the plugin."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from weakref import WeakKeyDictionary

import pluggy


def flatten(results: list | None) -> list:
    """A non-firstresult hook's answers as one list: list answers extended, others kept,
    None dropped (pluggy already drops None answers)."""
    items: list = []
    for result in results or ():
        items.extend(result if isinstance(result, list | tuple) else [result])
    return items


def _wrapper_only(impls: list) -> set:
    """Plugins whose every implementation of this hook is a wrapper."""
    plain = {impl.plugin for impl in impls if not (impl.wrapper or impl.hookwrapper)}
    return {impl.plugin for impl in impls if impl.plugin not in plain}


def per_plugin_callers(pm: pluggy.PluginManager, hook_name: str,
                       impls: list) -> list[tuple[str, pluggy.HookCaller]]:
    """(plugin name, a caller of that plugin's implementations among ``impls``, wrapped by
    every wrapper-only plugin), in pluggy's call order: last registered first."""
    wrappers = _wrapper_only(impls)
    everyone = {impl.plugin for impl in getattr(pm.hook, hook_name).get_hookimpls()}
    callers = []
    seen = set()
    for impl in reversed(impls):  # pluggy calls the last registered first
        if impl.plugin in wrappers or impl.plugin in seen:
            continue
        seen.add(impl.plugin)
        others = everyone - wrappers - {impl.plugin}
        callers.append((impl.plugin_name, pm.subset_hook_caller(hook_name, others)))
    return callers


_setup_cache: WeakKeyDictionary[pluggy.PluginManager, dict] = WeakKeyDictionary()


def setup_callers(pm: pluggy.PluginManager, hook_name: str) -> list[tuple[str, pluggy.HookCaller]]:
    """(plugin name, caller) of every installed plugin that implements a SETUP hook; the
    manager does not change after start-up, so they are made once."""
    callers = _setup_cache.setdefault(pm, {})
    found = callers.get(hook_name)
    if found is None:
        found = callers[hook_name] = per_plugin_callers(
            pm, hook_name, getattr(pm.hook, hook_name).get_hookimpls())
    return found


def setup_call(name: str, hook_name: str, caller: pluggy.HookCaller, **kwargs: Any) -> list:
    """One plugin's answers to a SETUP hook, flattened; an exception becomes a RuntimeError
    naming the plugin."""
    try:
        return flatten(caller(**kwargs))
    except Exception as exc:
        raise RuntimeError(f"plugin {name} failed in {hook_name}: {exc}") from exc


def setup_each(pm: pluggy.PluginManager, hook_name: str,
               **kwargs: Any) -> Iterator[tuple[str, list]]:
    """(plugin name, its answers flattened) of every installed plugin, for SETUP hooks."""
    for name, caller in setup_callers(pm, hook_name):
        yield name, setup_call(name, hook_name, caller, **kwargs)


