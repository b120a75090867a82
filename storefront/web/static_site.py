"""What the live shop's templates know about the static site built from it.

``storefront build`` renders public pages through the shop's own app, marking each request
(``ENVIRON_KEY``, and ``LANGUAGE_KEY`` on a site built in several languages). Templates see
``static_build`` (true while the build renders the page) and ``shop_url(path)`` (the absolute
URL of a path on the shop, ``BASE_URL``, for links that must reach the live shop from a
static page). The build depends on the shop, never the other way round: the build adds what
only it can answer (``static_alternates``, storefront.build.templating) when it starts.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request

ENVIRON_KEY = "storefront.static_build"  # set by the build's requests; no HTTP header can
LANGUAGE_KEY = "storefront.build_language"  # the language the build is writing the page in


def shop_url(path: str = "/") -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def static_build() -> bool:
    return has_request_context() and bool(request.environ.get(ENVIRON_KEY))


def build_language() -> str:
    """The language the build is writing this page in; "" outside a build."""
    return request.environ.get(LANGUAGE_KEY, "") if has_request_context() else ""


def static_site_origin(app: Flask) -> str | None:
    """``scheme://host[:port]`` of STATIC_SITE_URL, or None when it is not set."""
    parts = urlsplit(app.config.get("STATIC_SITE_URL") or "")
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def no_alternates() -> list[tuple[str, str, str]]:
    """``static_alternates()`` in the live shop: a page has no static copies to link to."""
    return []


def init_app(app: Flask) -> None:
    app.jinja_env.globals["shop_url"] = shop_url
    app.jinja_env.globals["static_site_origin"] = lambda: static_site_origin(current_app) or ""
    app.jinja_env.globals["static_alternates"] = no_alternates

    @app.context_processor
    def static_build_flag() -> dict:
        return {"static_build": static_build()}
