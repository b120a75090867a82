"""Fetch a page from the shop as an anonymous visitor and make it fit for the static site."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import Flask
from werkzeug.datastructures import Headers

from storefront.build.links import LinkRewriter
from storefront.build.pages import BuildError
from storefront.web.static_site import ENVIRON_KEY, LANGUAGE_KEY

_CSRF_FIELD = re.compile(rb"""name=["']csrf_token["']""")


class PageFetcher:
    """Requests the shop's pages as a cookie-less test client: no session, no log-in,
    exactly what a guest is served. Requests carry the static site's host, so absolute URLs
    a page builds point there."""

    def __init__(self, app: Flask, site_url: str, rewriters: Mapping[str, LinkRewriter]):
        """``rewriters``: the links of a page written in each language ("" for the only
        one) point to the pages of that language."""
        parts = urlsplit(site_url)
        self._client = app.test_client(use_cookies=False)
        self._base_url = f"{parts.scheme or 'http'}://{parts.netloc or 'localhost'}"
        self._rewriters = rewriters

    def _get(self, key: str, language: str) -> tuple[bytes, Headers]:
        response = self._client.get(key, base_url=self._base_url, environ_overrides={
            ENVIRON_KEY: True, LANGUAGE_KEY: language})
        try:
            body, headers = response.get_data(), response.headers
        finally:
            response.close()
        if response.status_code != 200:
            location = headers.get("Location")
            hint = f" (to {location})" if location else ""
            raise BuildError(f"{key}: the shop answered {response.status} instead of 200 OK"
                             f"{hint}; a static page must be public")
        if "Set-Cookie" in headers:
            raise BuildError(f"{key}: the page set a cookie (a session), so it is not the same "
                             "for every visitor; leave session-bound parts (forms with "
                             "csrf_token()) out when `static_build` is true")
        return body, headers

    def fetch(self, key: str, language: str = "") -> bytes:
        body, headers = self._get(key, language)
        mimetype = headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if mimetype != "text/html":
            return body
        if _CSRF_FIELD.search(body):
            raise BuildError(f"{key}: the page holds a CSRF token, which cannot work from a "
                             "static page; show a link to the shop instead when "
                             "`static_build` is true")
        return self._rewriters[language].html(body.decode("utf-8")).encode("utf-8")
