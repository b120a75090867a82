"""Pages every guest sees alike: HTTP caching headers for them, and a copy kept in process.

The views of public pages (home, listings, product, content page) are marked with
``public_page``. A guest's answer from one of them says so over HTTP::

    Cache-Control: public, max-age=0, s-maxage=PUBLIC_PAGE_CACHE_SECONDS
    ETag: "<hash of the body>"
    Vary: Cookie, Accept-Language

A browser asks again each time and gets 304 Not Modified while the page is unchanged; a
shared cache (a reverse proxy, a CDN) answers from its copy for up to s-maxage seconds. The
language comes from the ``language`` cookie or Accept-Language, hence the Vary. Such a page
carries no CSRF token (the add-to-cart form is checked by its Origin instead, see
``storefront.urls.from_this_site``), so nothing in it belongs to one visitor.

Anything personal is never ``public``: a signed-in customer, a session (a cart, flashed
messages, a CSRF token), a session cookie sent or any Set-Cookie answered get
``private, no-store``, on every page that does not set its own Cache-Control.

Plugins put things in guest pages (nav links, slots, assets). A plugin declares through
``shop_cache_guest_pages`` (True) that what it puts there is the same for every guest; while
an enabled plugin does not, a shared cache must ask the shop each time (``s-maxage=0``; it
still gets 304 when the page is unchanged) and the shop renders each guest page afresh.
Otherwise each worker process also keeps the guest pages it rendered (least recently used
first out, ``GUEST_PAGE_CACHE_SIZE`` of them, none older than ``GUEST_PAGE_CACHE_SECONDS``),
keyed by what the view read: the views hand ``render_for_guests`` that key.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import Flask, Response, current_app, g, render_template, request, session
from flask_login import current_user

from storefront.i18n import current_language
from storefront.plugins.dispatch import dispatcher
from storefront.plugins.state import state_version
from storefront.web.static_site import static_build

EXTENSION = "storefront.guest_pages"
_ALLOWED = "storefront.guest_pages_allowed"
_PUBLIC = "public_page"  # in flask.g while a public page's view answers
log = logging.getLogger(__name__)


class GuestPages:
    def __init__(self, size: int, seconds: float):
        self._size, self._seconds = size, seconds
        self._pages: OrderedDict[Hashable, tuple[str, float]] = OrderedDict()
        self._lock = threading.Lock()  # the development server and gthread workers share it
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> str | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None or page[1] <= time.monotonic():
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page[0]

    def put(self, key: Hashable, body: str) -> None:
        with self._lock:
            self._pages[key] = (body, time.monotonic() + self._seconds)
            self._pages.move_to_end(key)
            while len(self._pages) > self._size:
                self._pages.popitem(last=False)

    def __len__(self) -> int:
        return len(self._pages)


def init_app(app: Flask) -> None:
    size = int(app.config["GUEST_PAGE_CACHE_SIZE"])
    if size > 0:
        app.extensions[EXTENSION] = GuestPages(size, float(app.config[
            "GUEST_PAGE_CACHE_SECONDS"]))
    app.after_request(cache_headers)


def public_page(view: Callable[..., Any]) -> Callable[..., Any]:
    """Marks a view whose page is the same for every guest (see the module's doc)."""
    @functools.wraps(view)
    def marked(*args: Any, **kwargs: Any) -> Any:
        setattr(g, _PUBLIC, True)
        return view(*args, **kwargs)

    return marked


def guest_pages_allowed() -> bool:
    """Whether every enabled plugin declares its guest output the same for every guest
    (``shop_cache_guest_pages`` answers True); asked again in each worker after any change
    of the plugins' state (enabled set or settings)."""
    version = state_version()
    answer = current_app.extensions.get(_ALLOWED)
    if answer is None or answer[0] != version:
        answer = current_app.extensions[_ALLOWED] = (version, _plugins_allow())
    return answer[1]


def _plugins_allow() -> bool:
    """Opt-in: every enabled plugin answers True (one that does not implement the hook
    does not answer)."""
    plugins = dispatcher()
    try:
        declared = {name for name, answers in plugins.each("shop_cache_guest_pages")
                    if answers and all(answer is True for answer in answers)}
    except Exception:  # noqa: BLE001 - unsure: the safe answer
        log.exception("a plugin failed in shop_cache_guest_pages")
        return False
    return plugins.enabled <= declared


def _personal(response: Response | None = None) -> bool:
    """Whether this request or its answer belongs to one visitor."""
    return (current_user.is_authenticated or bool(session) or session.modified
            or current_app.config["SESSION_COOKIE_NAME"] in request.cookies
            or (response is not None and "Set-Cookie" in response.headers))


def cache_headers(response: Response) -> Response:
    """after_request: the Cache-Control, ETag and Vary of the module's doc."""
    if "Cache-Control" in response.headers:  # the view knows (static files, media)
        return response
    if _personal(response):
        response.cache_control.private = True
        response.cache_control.no_store = True
        return response
    if not g.get(_PUBLIC) or response.status_code != 200 or static_build():
        return response
    response.cache_control.public = True
    response.cache_control.max_age = 0
    response.cache_control.s_maxage = (current_app.config["PUBLIC_PAGE_CACHE_SECONDS"]
                                       if guest_pages_allowed() else 0)
    response.vary.update(("Cookie", "Accept-Language"))
    response.add_etag()
    return response.make_conditional(request)


def render_for_guests(key: Hashable, template: str, **context: Any) -> str:
    """``render_template(template, **context)``, kept for the next guest when the request
    is a guest's. ``key`` must stand for everything the context holds."""
    pages: GuestPages | None = current_app.extensions.get(EXTENSION)
    if (pages is None or static_build() or current_app.jinja_env.auto_reload or _personal()
            or not guest_pages_allowed()):
        return render_template(template, **context)
    full_key = (template, key, state_version(), request.host, request.script_root,
                request.path, request.query_string, current_language())
    body = pages.get(full_key)
    if body is None:
        body = render_template(template, **context)
        if not _personal():  # a plugin's slot made a session (a CSRF token): not shared
            pages.put(full_key, body)
    return body
