"""What templates know about the static build: ``static_build`` is true while
``storefront build`` renders the page, ``shop_url(path)`` is the absolute URL of a path on
the shop (``BASE_URL``), for links that must reach the live shop from a static page, and
``static_alternates()`` the same page in each language of a site built in several."""

from __future__ import annotations

from flask import Flask, current_app, has_request_context, request

from storefront.api.cors import static_site_origin

ENVIRON_KEY = "storefront.static_build"  # set by the build's requests; no HTTP header can
LANGUAGE_KEY = "storefront.build_language"  # the language the build is writing the page in


def shop_url(path: str = "/") -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def static_build() -> bool:
    return has_request_context() and bool(request.environ.get(ENVIRON_KEY))


def build_language() -> str:
    """The language the build is writing this page in; "" outside a build."""
    return request.environ.get(LANGUAGE_KEY, "") if has_request_context() else ""


def static_alternates() -> list[tuple[str, str, str]]:
    """(code, name, absolute URL) of this page in each language of a multilingual static
    build, for hreflang links and the switcher; empty otherwise."""
    from storefront.build.paths import canonical, static_href
    from storefront.build.site import site_url
    from storefront.i18n import languages

    key = canonical(request.path, request.query_string.decode("latin-1"))
    if not build_language() or key is None:
        return []
    base = site_url(current_app)
    return [(code, name, f"{base}/{code}{static_href(key)}") for code, name in languages()]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["shop_url"] = shop_url
    app.jinja_env.globals["static_site_origin"] = lambda: static_site_origin(current_app) or ""
    app.jinja_env.globals["static_alternates"] = static_alternates

    @app.context_processor
    def static_build_flag() -> dict:
        return {"static_build": static_build()}
