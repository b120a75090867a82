"""Calling hooks so that disabled plugins have no effect and one plugin's fault is contained.

- ``enabled_hooks()``: a hook relay limited to the plugins enabled in this shop.
- ``call_fail_open``: for reactions after commit; every plugin on its own, failures logged
  with the plugin's name and stored for the retry job; a plugin that keeps failing or is
  slow is left to the job for a while (``breaker``).
- ``collect``: for page furniture (panels, links, slots); a failing plugin is left out.
"""

from __future__ import annotations

import json
import logging
import operator
import time
import traceback
from typing import Any

from flask import current_app, g

from storefront.extensions import db
from storefront.plugins import tracing
from storefront.plugins.breaker import breakers
from storefront.plugins.models import FailedReaction
from storefront.plugins.state import enabled_names, state_version
from storefront.timeutil import utcnow

log = logging.getLogger("storefront.plugins")


class DirectCaller:
    """Calls a hook's plain implementations as pluggy would (last registered first, with
    tryfirst/trylast kept; None results dropped; firstresult honoured; an exception
    propagates), minus pluggy's per-call bookkeeping, which costs ~0.35 µs per plugin on hooks
    that run many times per request (pricing). Used only when no implementation is a wrapper
    and tracing is off; otherwise the relay hands out pluggy's own caller."""

    __slots__ = ("_calls", "_firstresult", "_functions", "_getters")

    def __init__(self, impls, firstresult: bool):
        # Implementations mostly take the same arguments: build each argument tuple once per
        # call, not once per implementation.
        signatures = list(dict.fromkeys(tuple(impl.argnames) for impl in impls))
        self._getters = tuple(_arguments(names) for names in signatures)
        self._calls = tuple((impl.function, signatures.index(tuple(impl.argnames)))
                            for impl in reversed(impls))
        # The common case, one signature for all: a plain list of functions.
        self._functions = (tuple(function for function, _ in self._calls)
                           if len(signatures) == 1 else None)
        self._firstresult = firstresult

    def __call__(self, **kwargs: Any):
        if self._functions is not None and not self._firstresult:
            arguments = self._getters[0](kwargs)
            return [result for function in self._functions
                    if (result := function(*arguments)) is not None]
        argument_sets = [get(kwargs) for get in self._getters]
        results = []
        for function, which in self._calls:
            result = function(*argument_sets[which])
            if result is not None:
                if self._firstresult:
                    return result
                results.append(result)
        return None if self._firstresult else results


def _arguments(names: tuple[str, ...]):
    if not names:
        return lambda kwargs: ()
    if len(names) == 1:
        name = names[0]
        return lambda kwargs: (kwargs[name],)
    return operator.itemgetter(*names)


class EnabledHooks:
    """``hooks.shop_x(...)`` like ``pm.hook.shop_x(...)``, without the disabled plugins."""

    def __init__(self, pm, enabled: frozenset[str]):
        self._pm = pm
        self._enabled = enabled
        self._disabled = [plugin for name, plugin in pm.list_name_plugin()
                          if plugin is not None and name not in enabled]

    def __getattr__(self, hook_name: str):
        caller = getattr(self._pm.hook, hook_name)
        impls = [impl for impl in caller.get_hookimpls() if impl.plugin_name in self._enabled]
        opts = caller.spec.opts if caller.spec else {}
        if not tracing.enabled() and not opts.get("historic") and not any(
                impl.hookwrapper or impl.wrapper for impl in impls):
            caller = DirectCaller(impls, bool(opts.get("firstresult")))
        elif self._disabled:
            caller = self._pm.subset_hook_caller(hook_name, self._disabled)
        setattr(self, hook_name, caller)  # once per hook and set of enabled plugins
        return caller


def manager():
    return current_app.extensions["storefront.plugins"]


def _relays(names: frozenset[str]) -> dict[str, Any]:
    """Per worker process: the relay and the impl lists for one set of enabled plugins.
    The plugin manager never changes after start-up, so only a new set starts afresh."""
    cache = current_app.extensions.get("storefront.relays")
    if cache is None or (cache["names"] is not names and cache["names"] != names):
        cache = current_app.extensions["storefront.relays"] = {"names": names, "impls": {}}
    return cache


def enabled_hooks() -> EnabledHooks:
    names = enabled_names()
    cache = _relays(names)
    hooks = cache.get("hooks")
    if hooks is None:
        hooks = cache["hooks"] = EnabledHooks(manager(), names)
    return hooks


def enabled_impls(hook_name: str) -> tuple:
    try:  # the impl lists of this request's enabled set, found once per request
        impls = g._sf_impls
    except AttributeError:
        impls = g._sf_impls = _relays(enabled_names())["impls"]
    found = impls.get(hook_name)
    if found is None:
        names = enabled_names()
        caller = getattr(manager().hook, hook_name)
        # pluggy calls the last registered first; keep that order.
        found = impls[hook_name] = tuple(impl for impl in reversed(caller.get_hookimpls())
                                         if impl.plugin_name in names)
    return found


def guest_pages_allowed() -> bool:
    """Whether every enabled plugin lets the shop reuse guest pages
    (``shop_cache_guest_pages``); asked again in each worker after any change of the
    plugins' state (enabled set or settings)."""
    cache = _relays(enabled_names())
    version = state_version()
    answer = cache.get("guest_pages")
    if answer is None or answer[0] != version:
        answer = cache["guest_pages"] = (version, _guest_pages_allowed())
    return answer[1]


def _guest_pages_allowed() -> bool:
    for impl in enabled_impls("shop_cache_guest_pages"):
        try:
            if call_impl(impl, {}) is False:
                return False
        except Exception:  # noqa: BLE001 - unsure: the safe answer
            log.exception("plugin %s failed in shop_cache_guest_pages", impl.plugin_name)
            return False
    return True


def call_impl(impl, kwargs: dict[str, Any]):
    if not tracing.enabled():
        return impl.function(**{name: kwargs[name] for name in impl.argnames})
    with tracing.timed(impl.plugin_name, impl.function.__name__):
        return impl.function(**{name: kwargs[name] for name in impl.argnames})


def call_fail_open(hook_name: str, **kwargs: Any) -> list[tuple[str, Exception]]:
    """Call each enabled implementation on its own; store failures for the retry job, and
    leave a plugin that keeps failing or is slow to the job too (``breaker``)."""
    failures = []
    guard = breakers()
    for impl in enabled_impls(hook_name):
        refusal = guard.refusal(impl.plugin_name, hook_name)
        if refusal is not None:
            log.warning("%s", refusal)
            failures.append((impl.plugin_name, refusal))
            _remember(impl.plugin_name, hook_name, kwargs, refusal)
            continue
        started = time.monotonic()
        try:
            call_impl(impl, kwargs)
            db.session.commit()  # the reaction's writes and messages, as one transaction
        except Exception as exc:  # noqa: BLE001 - a plugin's fault must not undo the order
            log.exception("plugin %s failed in %s", impl.plugin_name, hook_name)
            failures.append((impl.plugin_name, exc))
            _remember(impl.plugin_name, hook_name, kwargs, exc)
            guard.record(impl.plugin_name, hook_name, time.monotonic() - started, failed=True)
        else:
            seconds = time.monotonic() - started
            if seconds > guard.slow:
                log.warning("plugin %s took %.1f s in %s", impl.plugin_name, seconds, hook_name)
            guard.record(impl.plugin_name, hook_name, seconds, failed=False)
    return failures


def _remember(plugin: str, hook_name: str, kwargs: dict, exc: Exception) -> None:
    try:
        arguments = json.loads(json.dumps(kwargs))
    except TypeError:
        log.error("%s.%s: arguments are not JSON; the reaction cannot be retried",
                  plugin, hook_name)
        return
    db.session.rollback()  # whatever the plugin left half-done is not ours to commit
    db.session.add(FailedReaction(plugin=plugin, hook=hook_name, arguments=arguments,
                                  last_error=_describe(exc)))
    db.session.commit()


def _describe(exc: Exception) -> str:
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000]


def retry_reaction(reaction: FailedReaction) -> bool:
    """Call the one plugin again with the stored arguments. True when it succeeded."""
    impl = next((i for i in enabled_impls(reaction.hook) if i.plugin_name == reaction.plugin),
                None)
    if impl is None:
        return False  # plugin disabled or gone: wait until it is back, or a dismissal
    try:
        call_impl(impl, reaction.arguments)
        db.session.commit()
    except Exception as exc:  # noqa: BLE001
        db.session.rollback()
        reaction.attempts += 1
        reaction.last_error = _describe(exc)
        db.session.commit()
        log.warning("retry of %s.%s failed again: %s", reaction.plugin, reaction.hook, exc)
        return False
    reaction.status = "done"
    reaction.resolved_at = utcnow()
    db.session.commit()
    return True


def collect(hook_name: str, **kwargs: Any) -> list:
    """Flatten list results of enabled plugins, leaving out (and logging) any that fail."""
    items: list = []
    impls = enabled_impls(hook_name)
    if not impls:
        return items
    traced = tracing.enabled()
    for impl in impls:
        try:
            if traced:
                result = call_impl(impl, kwargs)
            else:
                result = impl.function(**{name: kwargs[name] for name in impl.argnames})
        except Exception:  # noqa: BLE001 - page furniture must not break the page
            log.exception("plugin %s failed in %s; left out", impl.plugin_name, hook_name)
            continue
        if result is None:
            continue
        items.extend(result if isinstance(result, list | tuple) else [result])
    return items
