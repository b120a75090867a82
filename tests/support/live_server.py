"""Serve a Flask app on 127.0.0.1 from a background thread, for tests that drive a browser
or send real HTTP requests (``Visitor``, ``run_together``)."""

from __future__ import annotations

import functools
import http.client
import http.cookiejar
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from hooks.testing import form_fields

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class LiveServer:
    url: str  # http://127.0.0.1:PORT, no trailing slash

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@contextmanager
def live_server(app) -> Iterator[LiveServer]:
    """Run ``app`` on a free port (the OS picks it) until the block ends.

    threaded=True: Chromium opens several connections at once (page, CSS, favicon); a
    single-threaded server would make them queue behind each other.
    """
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# A browser test module's marks: ``browser``, skipped where Debian's Chromium is missing, and
# on SQLite only (the browser sees the same pages on either database).
BROWSER_ON_SQLITE = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason=f"browser tests need Debian's Chromium at {CHROMIUM}"),
    pytest.mark.parametrize("backend", ["sqlite"], indirect=True),
]

@contextmanager
def chromium_browser():
    """Debian's Chromium through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    text: str


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a 3xx comes back as the answer, as with Flask's test client


class _FromAddress(urllib.request.HTTPHandler):
    """Connect from a chosen local address (any of 127.0.0.0/8 reaches the server)."""

    def __init__(self, address: str):
        super().__init__()
        self.address = address

    def http_open(self, req):
        return self.do_open(functools.partial(http.client.HTTPConnection,
                                              source_address=(self.address, 0)), req)


class Visitor:
    """One visitor of a live server over real HTTP: a cookie jar, no redirects followed,
    connecting from ``address`` (127.0.0.2 looks like another client than 127.0.0.1).
    Safe to share between threads once its session cookie is set (urllib opens one
    connection per request)."""

    def __init__(self, server: LiveServer, address: str = "127.0.0.1", timeout: float = 60):
        self.server = server
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects(), _FromAddress(address))

    def _open(self, request: urllib.request.Request) -> Answer:
        try:
            response = self._opener.open(request, timeout=self.timeout)
        except urllib.error.HTTPError as err:  # 3xx, 4xx and 5xx
            response = err
        with response:
            body = response.read().decode("utf-8", errors="replace")
            return Answer(response.status, dict(response.headers.items()), body)

    def get(self, path: str, headers: dict[str, str] | None = None) -> Answer:
        return self._open(urllib.request.Request(self.server(path), headers=headers or {}))

    def post(self, path: str, fields: dict[str, str]) -> Answer:
        """POST a form as a browser sends it from one of the server's pages (its Origin)."""
        body = urllib.parse.urlencode(fields).encode()
        origin = self.server("/").rstrip("/")
        return self._open(urllib.request.Request(self.server(path), data=body, method="POST",
                                                 headers={"Origin": origin}))

    def form(self, page: str, action: str) -> dict[str, str]:
        """The hidden fields (CSRF token) of the form posting to ``action`` on ``page``."""
        answer = self.get(page)
        assert answer.status == 200, (page, answer.status)
        return form_fields(answer.text, action)

    def post_form(self, page: str, action: str, fields: dict[str, str]) -> Answer:
        return self.post(action, {**self.form(page, action), **fields})


def run_together(calls: list[Callable[[], object]], timeout: float = 120) -> list:
    """Start every call in its own thread and release them at once (a barrier); their
    results in order. Raises the first exception any call raised."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def worker(i: int, call: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i, c), daemon=True)
               for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if errors:
        raise errors[0]
    assert not any(t.is_alive() for t in threads), "calls still running after the timeout"
    return results
