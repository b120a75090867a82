"""Fetch a page from the shop as an anonymous visitor and make it fit for the static site."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.test import TestResponse

from storefront.build.links import LinkRewriter
from storefront.build.pages import BuildError
from storefront.build.templating import ENVIRON_KEY

_CSRF_FIELD = re.compile(rb"""name=["']csrf_token["']""")


class PageFetcher:
    """A cookie-less test client: no session, no log-in, exactly what a guest is served.
    Requests carry the static site's host, so absolute URLs a page builds point there."""

    def __init__(self, app: Flask, site_url: str, rewriter: LinkRewriter):
        parts = urlsplit(site_url)
        self._client = app.test_client(use_cookies=False)
        self._environ = {ENVIRON_KEY: True, "wsgi.url_scheme": parts.scheme or "http",
                         "HTTP_HOST": parts.netloc or "localhost"}
        self._rewriter = rewriter

    def _get(self, key: str) -> TestResponse:
        response = self._client.get(key, environ_base=self._environ)
        if response.status_code != 200:
            location = response.headers.get("Location")
            hint = f" (to {location})" if location else ""
            raise BuildError(f"{key}: the shop answered {response.status} instead of 200 OK"
                             f"{hint}; a static page must be public")
        if "Set-Cookie" in response.headers:
            raise BuildError(f"{key}: the page set a cookie (a session), so it is not the same "
                             "for every visitor; leave session-bound parts (forms with "
                             "csrf_token()) out when `static_build` is true")
        return response

    def fetch(self, key: str) -> bytes:
        response = self._get(key)
        body = response.get_data()
        if response.mimetype != "text/html":
            return body
        if _CSRF_FIELD.search(body):
            raise BuildError(f"{key}: the page holds a CSRF token, which cannot work from a "
                             "static page; show a link to the shop instead when "
                             "`static_build` is true")
        text = response.get_data(as_text=True)
        return self._rewriter.html(text).encode("utf-8")
