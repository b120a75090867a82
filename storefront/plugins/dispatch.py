"""Every hook call of the shop goes through here, on pluggy's own callers.

Each hookspec declares its failure policy (``hooks.Policy``, beside the spec in
``hooks/specs.py`` or in a plugin's published specs); this module applies it, so no call site
chooses. Calls reach only the plugins enabled in this shop, and ``tryfirst``/``trylast``,
``wrapper=True`` and ``hookwrapper=True`` work on every hook exactly as in pluggy:

- ``call(hook, **kwargs)``: one pluggy call over the enabled plugins. DECIDES lets the
  exception through (with a note naming the plugin); FURNITURE leaves the failing plugin out
  and calls the others again.
- ``each(hook, **kwargs)``: one pluggy call per enabled plugin, for answers that must be
  known by plugin (blueprints, jobs, static pages) and for reactions, where the shop commits
  after each plugin and each fails on its own. Wrapper-only plugins wrap each of those calls.
- ``storefront.plugins.setup``: the same over every installed plugin, for SETUP hooks
  (start-up, migrations, commands, settings forms).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pluggy
from flask import current_app, has_app_context

from hooks.markers import Policy, policy_of
from hooks.types import NotProvided
from storefront.extensions import db
from storefront.plugins.setup import flatten, per_plugin_callers
from storefront.plugins.state import enabled_names

log = logging.getLogger("storefront.plugins")

EXTENSION = "storefront.plugins"
_CACHE = "storefront.dispatchers"


class PluginFailed(RuntimeError):
    """A plugin raised in ``each`` under ``Policy.DECIDES``; the cause is chained."""

    def __init__(self, plugin: str, hook_name: str, cause: Exception):
        super().__init__(f"plugin {plugin} failed in {hook_name}: {cause}")
        self.plugin = plugin
        self.hook_name = hook_name


def policy(pm: pluggy.PluginManager, hook_name: str) -> Policy:
    caller = getattr(pm.hook, hook_name, None)
    spec = caller.spec if caller is not None else None
    return policy_of(spec.function) if spec is not None else Policy.DECIDES


def culprit(exc: BaseException, impls: list) -> Any:
    """The implementation that raised ``exc``: the deepest of ``impls`` in its traceback
    (a wrapper that re-raises sits above the implementation that raised first)."""
    codes = {getattr(inspect.unwrap(impl.function), "__code__", None): impl for impl in impls}
    found = None
    tb = exc.__traceback__
    while tb is not None:
        found = codes.get(tb.tb_frame.f_code, found)
        tb = tb.tb_next
    return found


class Dispatcher:
    """The callers of one plugin manager for one set of enabled plugins; kept per worker
    process and replaced when the enabled set changes."""

    def __init__(self, pm: pluggy.PluginManager, enabled: frozenset[str]):
        self.pm = pm
        self.enabled = enabled
        self._disabled = [plugin for name, plugin in pm.list_name_plugin()
                          if plugin is not None and name not in enabled]
        self._callers: dict[str, Callable] = {}  # hook name -> call under its policy
        self._per_plugin: dict[str, list[tuple[str, pluggy.HookCaller]]] = {}

    def impls(self, hook_name: str) -> list:
        """The enabled plugins' implementations, as pluggy orders them."""
        return self.pm.subset_hook_caller(hook_name, self._disabled).get_hookimpls()

    def provided(self, hook_name: str) -> bool:
        """Whether an enabled plugin answers the hook (a wrapper alone does not)."""
        return hasattr(self.pm.hook, hook_name) and any(
            not (impl.wrapper or impl.hookwrapper) for impl in self.impls(hook_name))

    def call(self, hook_name: str, **kwargs: Any) -> Any:
        return self.caller(hook_name)(**kwargs)

    def caller(self, hook_name: str) -> Callable:
        """A function that calls the hook on the enabled plugins under its policy."""
        found = self._callers.get(hook_name)
        if found is None:
            found = self._callers[hook_name] = self._make_call(hook_name)
        return found

    def _make_call(self, hook_name: str) -> Callable:
        if not hasattr(self.pm.hook, hook_name):
            raise NotProvided(f"no installed plugin publishes the hook {hook_name}")
        kind = policy(self.pm, hook_name)
        caller = self.pm.subset_hook_caller(hook_name, self._disabled)
        if kind is Policy.FURNITURE:
            return lambda **kwargs: self._furniture(hook_name, caller, kwargs)
        if kind is Policy.REACTION:
            raise TypeError(f"{hook_name} is a reaction: deliver it with each()")

        def decides(**kwargs: Any) -> Any:
            try:
                return caller(**kwargs)
            except Exception as exc:
                _name_the_plugin(exc, hook_name, caller.get_hookimpls())
                raise

        return decides

    def _furniture(self, hook_name: str, caller: pluggy.HookCaller, kwargs: dict) -> Any:
        left_out: list = []
        while True:
            try:
                return caller(**kwargs)
            except Exception as exc:  # noqa: BLE001 - page furniture must not break the page
                failed = culprit(exc, caller.get_hookimpls())
                log.exception("plugin %s failed in %s; left out",
                              failed.plugin_name if failed else "?", hook_name)
                _end_failed_transaction()
                if failed is None:
                    return None if _firstresult(caller) else []
                left_out.append(failed.plugin)
                caller = self.pm.subset_hook_caller(hook_name, [*self._disabled, *left_out])

    def per_plugin(self, hook_name: str) -> list[tuple[str, pluggy.HookCaller]]:
        """(plugin name, a caller of that plugin's implementations, wrapped by every
        wrapper-only plugin), in pluggy's call order."""
        found = self._per_plugin.get(hook_name)
        if found is None:
            found = self._per_plugin[hook_name] = per_plugin_callers(
                self.pm, hook_name, self.impls(hook_name))
        return found

    def each(self, hook_name: str, **kwargs: Any) -> Iterator[tuple[str, list]]:
        """(plugin name, its answers flattened) of each enabled plugin, called on its own.
        Under DECIDES an exception stops the loop as ``PluginFailed``; under FURNITURE the
        plugin is left out and logged. Reactions go through ``storefront.plugins.reactions``."""
        kind = policy(self.pm, hook_name)
        for name, caller in self.per_plugin(hook_name):
            try:
                answers = flatten(caller(**kwargs))
            except Exception as exc:
                if kind is Policy.FURNITURE:
                    log.exception("plugin %s failed in %s; left out", name, hook_name)
                    _end_failed_transaction()
                    continue
                raise PluginFailed(name, hook_name, exc) from exc
            yield name, answers


def _end_failed_transaction() -> None:
    """A plugin that failed while writing (a flush refused, SQLite's lock not had in time)
    leaves the session's transaction dead, and every later query of the page would fail
    with it: the page goes on without that plugin, in a new transaction."""
    if has_app_context() and not db.session.is_active:
        db.session.rollback()


def _firstresult(caller: pluggy.HookCaller) -> bool:
    return bool(caller.spec and caller.spec.opts.get("firstresult"))


def _name_the_plugin(exc: BaseException, hook_name: str, impls: list) -> None:
    failed = culprit(exc, impls)
    if failed is not None:
        exc.add_note(f"raised by plugin {failed.plugin_name} in {hook_name}")


def manager() -> pluggy.PluginManager:
    return current_app.extensions[EXTENSION]


def dispatcher() -> Dispatcher:
    """The dispatcher of this request's enabled plugins (kept per worker process; the plugin
    manager never changes after start-up, so only a new enabled set starts afresh)."""
    names = enabled_names()
    found = current_app.extensions.get(_CACHE)
    if found is None or (found.enabled is not names and found.enabled != names):
        found = current_app.extensions[_CACHE] = Dispatcher(manager(), names)
    return found


def caller(hook_name: str) -> Callable:
    """A function calling the hook on this request's enabled plugins under its policy."""
    return dispatcher().caller(hook_name)


def call(hook_name: str, **kwargs: Any) -> Any:
    """Call a hook on the enabled plugins under its declared policy."""
    return dispatcher().call(hook_name, **kwargs)


def each(hook_name: str, **kwargs: Any) -> Iterator[tuple[str, list]]:
    return dispatcher().each(hook_name, **kwargs)


def collect(hook_name: str, **kwargs: Any) -> list:
    """The answers of a list-returning hook, flattened (None answers dropped)."""
    return flatten(call(hook_name, **kwargs))
