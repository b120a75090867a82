"""CORS for the static site: its pages (on STATIC_SITE_URL) may read the shop's JSON with
the visitor's cookies. Only that exact origin is allowed; any other gets no CORS headers,
so its scripts cannot read the answer."""

from __future__ import annotations

from flask import Flask, Response, request

from storefront.web.static_site import static_site_origin


def allow_static_site(app: Flask, response: Response) -> Response:
    response.vary.add("Origin")  # the answer differs by Origin: caches must keep them apart
    origin = static_site_origin(app)
    if origin is not None and request.headers.get("Origin", "").lower() == origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Credentials"] = "true"
    return response
