"""What templates know about the static build: ``static_build`` is true while
``storefront build`` renders the page, ``shop_url(path)`` is the absolute URL of a path on
the shop (``BASE_URL``), for links that must reach the live shop from a static page."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request

from storefront.api.cors import static_site_origin

ENVIRON_KEY = "storefront.static_build"  # set by the build's requests; no HTTP header can


def shop_url(path: str = "/") -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def static_build() -> bool:
    return has_request_context() and bool(request.environ.get(ENVIRON_KEY))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["shop_url"] = shop_url
    app.jinja_env.globals["static_site_origin"] = lambda: static_site_origin(current_app) or ""

    @app.context_processor
    def static_build_flag() -> dict:
        return {"static_build": static_build()}
