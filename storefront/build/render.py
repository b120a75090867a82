"""Fetch a page from the shop as an anonymous visitor and make it fit for the static site."""

from __future__ import annotations

import re
from collections.abc import Mapping
from io import BytesIO
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import EnvironBuilder
from werkzeug.datastructures import Headers

from storefront.build.links import LinkRewriter
from storefront.build.pages import BuildError
from storefront.static_site import ENVIRON_KEY, LANGUAGE_KEY

_CSRF_FIELD = re.compile(rb"""name=["']csrf_token["']""")
# A key whose path and query the WSGI environ holds unchanged (no quoting, no encoding).
_PLAIN_KEY = re.compile(r"^/[A-Za-z0-9._~!$&'()*+,;=:@/-]*(?:\?page=[0-9]+)?$")


class PageFetcher:
    """Requests the shop's pages as a cookie-less test client does: no session, no log-in,
    exactly what a guest is served. Requests carry the static site's host, so absolute URLs
    a page builds point there.

    The request goes straight to the app's WSGI callable with the environ the test client
    would build (``flask.testing.EnvironBuilder``, the client's ``environ_base``), made once
    and copied per page: the client's own bookkeeping (a builder, a response object and
    context preservation per request) cost a quarter of a product page's time."""

    def __init__(self, app: Flask, site_url: str, rewriters: Mapping[str, LinkRewriter]):
        """``rewriters``: the links of a page written in each language ("" for the only
        one) point to the pages of that language."""
        parts = urlsplit(site_url)
        self._app = app
        self._environ_base = {**app.test_client(use_cookies=False).environ_base,
                              ENVIRON_KEY: True, "wsgi.url_scheme": parts.scheme or "http",
                              "HTTP_HOST": parts.netloc or "localhost"}
        self._template = self._built_environ("/")
        self._rewriters = rewriters

    def _built_environ(self, key: str) -> dict[str, Any]:
        builder = EnvironBuilder(self._app, key, environ_base=self._environ_base)
        try:
            return builder.get_environ()
        finally:
            builder.close()

    def environ(self, key: str, language: str = "") -> dict[str, Any]:
        """The environ of a GET request for ``key`` in ``language``, as the test client
        builds it."""
        if not _PLAIN_KEY.match(key):
            environ = self._built_environ(key)
        else:
            path, _, query = key.partition("?")
            environ = dict(self._template)
            environ.update({"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_URI": key,
                            "RAW_URI": key, "wsgi.input": BytesIO()})
        environ[LANGUAGE_KEY] = language
        return environ

    def _get(self, key: str, language: str) -> tuple[bytes, Headers]:
        answer: list = []

        def start_response(status: str, headers: list, exc_info: object = None) -> None:
            answer[:] = [status, headers]

        chunks = self._app(self.environ(key, language), start_response)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        status, header_list = answer
        headers = Headers(header_list)
        if int(status.split(" ", 1)[0]) != 200:
            location = headers.get("Location")
            hint = f" (to {location})" if location else ""
            raise BuildError(f"{key}: the shop answered {status} instead of 200 OK"
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
