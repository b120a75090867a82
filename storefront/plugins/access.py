"""Permission votes from plugins (veto rule) and the "forbidden" page they may supply."""

from __future__ import annotations

import logging

from flask import render_template
from markupsafe import Markup, escape

from hooks.types import CustomerView
from storefront.plugins.dispatch import call

log = logging.getLogger("storefront.plugins")


def decide(actor: CustomerView, action: str, resource: object, default: bool) -> bool:
    try:
        votes = call("shop_permission", actor=actor, action=action, resource=resource)
    except Exception:  # noqa: BLE001 - the hook DECIDES: a failing plugin denies
        log.exception("a plugin failed deciding %s; denied", action)
        return False
    if any(vote is False for vote in votes):
        return False
    if any(vote is True for vote in votes):
        return True
    return default


def forbidden_response(actor: CustomerView, action: str, resource: object = None):
    """The 403 page, with a plugin's "how to unlock this" message when one answers."""
    body = call("shop_forbidden", actor=actor, action=action, resource=resource)
    message = body if isinstance(body, Markup) else escape(body) if body else None
    return render_template("forbidden.html", message=message), 403
