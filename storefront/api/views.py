"""``GET /api/me``: who is signed in, for the member box on static pages."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify

from storefront import plugins
from storefront.api.cors import allow_static_site
from storefront.web.reader import customer_view

log = logging.getLogger(__name__)

bp = Blueprint("api", __name__, url_prefix="/api")

CORE_FIELDS = ("signed_in", "name", "tier")


def _tier_name(customer) -> str | None:
    from hooks import customer_tier

    try:
        tier = customer_tier(customer)
    except Exception:  # noqa: BLE001 - a display detail must not break the endpoint
        log.exception("tier plugin failed for /api/me")
        return None
    return tier.name if tier else None


def member_summary() -> dict:
    """{signed_in, name, tier, points, ...} of the current visitor; plugins add fields
    through ``shop_member_summary`` (points come from the points plugin when it is on)."""
    customer = customer_view()
    data: dict = {"signed_in": customer.is_member, "name": None, "tier": None,
                  "points": None}
    if not customer.is_member:
        return data
    data.update(name=customer.name, tier=_tier_name(customer))
    for fields in plugins.collect("shop_member_summary", customer=customer):
        data.update({k: v for k, v in (fields or {}).items() if k not in CORE_FIELDS})
    return data


@bp.get("/me")
def me() -> Response:
    response = jsonify(member_summary())
    response.headers["Cache-Control"] = "no-store, private"
    return response


@bp.after_request
def cors(response: Response) -> Response:
    return allow_static_site(current_app, response)
