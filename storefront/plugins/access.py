"""Permission votes from plugins (veto rule) and the "forbidden" page they may supply."""

from __future__ import annotations

import logging

from flask import render_template
from markupsafe import Markup, escape

from hooks.types import CustomerView
from storefront.plugins.calls import call_impl, enabled_impls

log = logging.getLogger("storefront.plugins")


def decide(actor: CustomerView, action: str, resource: object, default: bool) -> bool:
    votes = []
    for impl in enabled_impls("shop_permission"):
        try:
            votes.append(call_impl(impl, {"actor": actor, "action": action, "resource": resource}))
        except Exception:  # noqa: BLE001 - access fails closed
            log.exception("plugin %s failed deciding %s; denied", impl.plugin_name, action)
            return False
    if any(vote is False for vote in votes):
        return False
    if any(vote is True for vote in votes):
        return True
    return default


def forbidden_response(actor: CustomerView, action: str, resource: object = None):
    """The 403 page, with a plugin's "how to unlock this" message when one answers."""
    body = None
    for impl in enabled_impls("shop_forbidden"):
        try:
            body = call_impl(impl, {"actor": actor, "action": action, "resource": resource})
        except Exception:  # noqa: BLE001 - fall back to the plain page
            log.exception("plugin %s failed in shop_forbidden", impl.plugin_name)
            continue
        if body:
            break
    message = body if isinstance(body, Markup) else escape(body) if body else None
    return render_template("forbidden.html", message=message), 403
