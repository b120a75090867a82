"""Behind a reverse proxy: take the client's address from the proxy's X-Forwarded-For."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from storefront.config import ConfigError


def init_app(app: Flask) -> None:
    """``PROXY_FIX_X_FOR`` proxies in front of the shop (0: none, the default) are trusted to
    append the address they received a request from to X-Forwarded-For; the app then sees
    that address as ``request.remote_addr``. A value larger than the number of proxies lets
    visitors choose their own address, so set it to exactly that number."""
    hops = app.config["PROXY_FIX_X_FOR"]
    if not isinstance(hops, int) or isinstance(hops, bool) or hops < 0:
        raise ConfigError(f"PROXY_FIX_X_FOR {hops!r} is not a whole number of proxies (0 or "
                          "more)")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops)
