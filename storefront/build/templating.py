"""What templates know only during a build: ``static_alternates()``, the same page in each
language of a site built in several. The rest (``static_build``, ``shop_url``) is the live
shop's own (storefront.static_site)."""

from __future__ import annotations

from flask import Flask, current_app, request

from storefront.web.static_site import build_language


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
    app.jinja_env.globals["static_alternates"] = static_alternates
