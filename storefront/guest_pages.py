"""Pages a guest sees, rendered once and served again while nothing they show changed.

A guest's product page is made from the product row (a frozen ``ProductView``, stock
included), the plugins' state (its counter, read in the product's own statement), the theme,
the address asked for and the language; not from who the guest is. Likewise a listing (its
cards) and a content page (its file). The views hand ``render_for_guests`` a key for what they read.
Each worker process keeps such pages (least recently used first out,
``GUEST_PAGE_CACHE_SIZE`` of them, none older than ``GUEST_PAGE_CACHE_SECONDS``) with a
placeholder where the CSRF token goes: every response gets the visitor's own token, so a new
visitor still gets a session and every form still carries a token that Flask-WTF checks.

A page is rendered afresh for a signed-in customer, for a session holding flashed messages,
in the static build, when templates reload (development), and while an enabled plugin
answers False to ``shop_cache_guest_pages``.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, g, render_template, request, session
from flask_login import current_user

from storefront.i18n import current_language
from storefront.plugins.dispatch import call
from storefront.plugins.state import state_version
from storefront.signing import csrf_token
from storefront.static_site import static_build

EXTENSION = "storefront.guest_pages"
_ALLOWED = "storefront.guest_pages_allowed"
log = logging.getLogger(__name__)
# Per process, unguessable: no product text can contain it and so be given a token.
_PLACEHOLDER = f"csrf-token-placeholder-{secrets.token_hex(16)}"


@dataclass(frozen=True)
class _Page:
    body: str
    has_token: bool
    expires: float


class GuestPages:
    def __init__(self, size: int, seconds: float):
        self._size, self._seconds = size, seconds
        self._pages: OrderedDict[Hashable, _Page] = OrderedDict()
        self._lock = threading.Lock()  # the development server and gthread workers share it
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> _Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None or page.expires <= time.monotonic():
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: Hashable, body: str) -> _Page:
        page = _Page(body, _PLACEHOLDER in body, time.monotonic() + self._seconds)
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)
        return page

    def __len__(self) -> int:
        return len(self._pages)


def init_app(app: Flask) -> None:
    size = int(app.config["GUEST_PAGE_CACHE_SIZE"])
    if size > 0:
        app.extensions[EXTENSION] = GuestPages(size, float(app.config[
            "GUEST_PAGE_CACHE_SECONDS"]))


def guest_pages_allowed() -> bool:
    """Whether every enabled plugin lets the shop reuse guest pages
    (``shop_cache_guest_pages``); asked again in each worker after any change of the
    plugins' state (enabled set or settings)."""
    version = state_version()
    answer = current_app.extensions.get(_ALLOWED)
    if answer is None or answer[0] != version:
        answer = current_app.extensions[_ALLOWED] = (version, _plugins_allow())
    return answer[1]


def _plugins_allow() -> bool:
    try:
        return False not in call("shop_cache_guest_pages")
    except Exception:  # noqa: BLE001 - unsure: the safe answer
        log.exception("a plugin failed in shop_cache_guest_pages")
        return False


def _shared_page() -> bool:
    """Whether this request would see what every guest sees."""
    return (not static_build() and not current_app.jinja_env.auto_reload
            and not current_user.is_authenticated and "_flashes" not in session
            and guest_pages_allowed())


def _render_with_placeholder(template: str, context: dict[str, Any]) -> str:
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    own = g.pop(field, None)  # a token this request made already
    setattr(g, field, _PLACEHOLDER)  # csrf_token() answers what g holds
    try:
        return render_template(template, **context)
    finally:
        g.pop(field, None)
        if own is not None:
            setattr(g, field, own)


def render_for_guests(key: Hashable, template: str, **context: Any) -> str:
    """``render_template(template, **context)``, from the cache when the request is a
    guest's. ``key`` must stand for everything the context holds."""
    pages: GuestPages | None = current_app.extensions.get(EXTENSION)
    if pages is None or not _shared_page():
        return render_template(template, **context)
    full_key = (template, key, state_version(), request.host, request.script_root,
                request.path, request.query_string, current_language())
    page = pages.get(full_key) or pages.put(full_key, _render_with_placeholder(template,
                                                                               context))
    return page.body.replace(_PLACEHOLDER, csrf_token()) if page.has_token else page.body
