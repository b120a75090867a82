"""Reactions after commit (``Policy.REACTION``): every enabled plugin on its own, in its own
transaction; a failure is logged with the plugin's name and stored for the retry job, and a
plugin that keeps failing or is slow is left to the job for a while (``breaker``)."""

from __future__ import annotations

import json
import logging
import time
import traceback
from typing import Any

from storefront.extensions import db
from storefront.plugins.breaker import breakers
from storefront.plugins.dispatch import dispatcher
from storefront.plugins.models import FailedReaction
from storefront.timeutil import utcnow

log = logging.getLogger("storefront.plugins")


def deliver(hook_name: str, **kwargs: Any) -> list[tuple[str, Exception]]:
    """Call each enabled plugin's reaction; returns the (plugin, error) pairs that failed."""
    failures = []
    guard = breakers()
    for name, caller in dispatcher().per_plugin(hook_name):
        refusal = guard.refusal(name, hook_name)
        if refusal is not None:
            log.warning("%s", refusal)
            failures.append((name, refusal))
            _remember(name, hook_name, kwargs, refusal)
            continue
        started = time.monotonic()
        try:
            caller(**kwargs)
            db.session.commit()  # the reaction's writes and messages, as one transaction
        except Exception as exc:  # noqa: BLE001 - a plugin's fault must not undo the order
            log.exception("plugin %s failed in %s", name, hook_name)
            failures.append((name, exc))
            _remember(name, hook_name, kwargs, exc)
            guard.record(name, hook_name, time.monotonic() - started, failed=True)
        else:
            seconds = time.monotonic() - started
            if seconds > guard.slow:
                log.warning("plugin %s took %.1f s in %s", name, seconds, hook_name)
            guard.record(name, hook_name, seconds, failed=False)
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


def retry(reaction: FailedReaction) -> bool:
    """Call the one plugin again with the stored arguments. True when it succeeded."""
    caller = dict(dispatcher().per_plugin(reaction.hook)).get(reaction.plugin)
    if caller is None:
        return False  # plugin disabled or gone: wait until it is back, or a dismissal
    try:
        caller(**reaction.arguments)
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
