"""Attempt limits for logging in, for the forms that send mail (accounts) and for orders
placed without an account (orders), counted in a shared store.

Each attempt takes a slot *before* any work is done (a password checked, a mail sent): one
atomic step in the store (``limits``' moving window: at most N attempts in any W seconds),
per e-mail address typed and per client address. So 100 simultaneous guesses at one account
check at most N passwords, on one process or on many that share the store.

``RATELIMIT_STORAGE_URI`` names the store: ``memory://`` counts inside one process (the demo,
one worker); ``redis://HOST:PORT`` is shared by every process and host that names it.
Keys hold SHA-256 digests, not the addresses themselves.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import logging
import math
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

from flask import Flask, current_app, render_template, request
from flask_babel import gettext as _
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from hooks.text import ngettext
from storefront.config import ConfigError

log = logging.getLogger(__name__)

EXTENSION = "storefront_throttle"
LOGIN_ACCOUNT, LOGIN_CLIENT = "login-account", "login-client"
MAIL_ACCOUNT, MAIL_CLIENT = "mail-account", "mail-client"
GUEST_ORDER_CLIENT = "guest-order-client"
SETTINGS = {
    LOGIN_ACCOUNT: "LOGIN_LIMIT_PER_ACCOUNT",
    LOGIN_CLIENT: "LOGIN_LIMIT_PER_CLIENT",
    MAIL_ACCOUNT: "MAIL_LIMIT_PER_ACCOUNT",
    MAIL_CLIENT: "MAIL_LIMIT_PER_CLIENT",
    GUEST_ORDER_CLIENT: "GUEST_ORDER_LIMIT_PER_CLIENT",
}
SCHEMES = {"memory": None, "redis": "redis", "rediss": "redis", "redis+unix": "redis"}
# A store that does not answer within this many seconds fails the request (503), never hangs it.
REDIS_TIMEOUTS = {"socket_timeout": 2.0, "socket_connect_timeout": 2.0}
REPLACED = {"LOGIN_MAX_FAILURES": "LOGIN_LIMIT_PER_ACCOUNT",
            "LOGIN_FAILURE_WINDOW": "LOGIN_LIMIT_PER_ACCOUNT"}


class StoreUnavailable(RuntimeError):
    """The counters cannot be read or written (the store is down): nothing is let through."""


@dataclass(frozen=True)
class Refused:
    """A full counter: when its oldest attempt leaves the window, one slot is free again."""

    retry_after: int  # whole seconds, at least 1

    @property
    def wait(self) -> str:
        """``40 seconds``, ``1 minute``, ``15 minutes`` (in the request's language)."""
        if self.retry_after < 120:
            return ngettext("%(num)s second", "%(num)s seconds", self.retry_after)
        return ngettext("%(num)s minute", "%(num)s minutes", math.ceil(self.retry_after / 60))


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


class Throttle:
    """The limits of one app. The store is opened on first use, in the process that uses
    it (after a server forks its workers)."""

    def __init__(self, uri: str, items: dict[str, RateLimitItem]):
        self.uri = uri
        self.items = items
        self._limiter: MovingWindowRateLimiter | None = None
        self._lock = threading.Lock()
        # limits' memory store (5.8) starts its expiry timer without a lock, so two threads of
        # one process counting at once can start the same timer twice (a 500; limits PR
        # #352). Its counts take microseconds: the threads of a process take turns at them.
        self._turns = contextlib.nullcontext() if SCHEMES[_scheme(uri)] else threading.Lock()

    def limiter(self) -> MovingWindowRateLimiter:
        with self._lock:
            if self._limiter is None:
                client = SCHEMES[_scheme(self.uri)]
                if client:
                    # limits (5.8) reads the client's version from sys.modules without waiting
                    # for an import another thread has begun ("Found version: 0.0.0"); an
                    # import statement waits for it to finish.
                    importlib.import_module(client)
                options = REDIS_TIMEOUTS if client else {}
                storage = storage_from_string(self.uri, wrap_exceptions=True, **options)
                self._limiter = MovingWindowRateLimiter(storage)
            return self._limiter

    def take(self, *counters: tuple[str, str]) -> Refused | None:
        """Take one slot in each ``(kind, key)`` counter, in order. At the first full one,
        stop (later counters are not touched) and say how long until a slot frees."""
        limiter = self.limiter()
        try:
            with self._turns:
                return self._take(limiter, counters)
        except StorageError as exc:
            raise StoreUnavailable(str(exc.storage_error)) from exc

    def _take(self, limiter: MovingWindowRateLimiter, counters: tuple[tuple[str, str], ...]
              ) -> Refused | None:
        for kind, key in counters:
            item = self.items[kind]
            if not limiter.hit(item, kind, digest(key)):
                stats = limiter.get_window_stats(item, kind, digest(key))
                return Refused(max(1, math.ceil(stats.reset_time - time.time())))
        return None

    def clear(self, kind: str, key: str) -> None:
        """Forget every attempt of one counter (a log-in succeeded, a password was reset)."""
        try:
            limiter = self.limiter()
            with self._turns:
                limiter.clear(self.items[kind], kind, digest(key))
        except StorageError as exc:  # the attempts age out of the window anyway
            log.warning("could not clear a %s counter: %s", kind, exc.storage_error)


def _scheme(uri: str) -> str:
    return urlparse(uri).scheme


def check_settings(config: dict) -> dict[str, RateLimitItem]:
    """Each limit parsed, or a ConfigError that names the setting."""
    for old, new in REPLACED.items():
        if old in config:
            raise ConfigError(
                f"{old} is no longer read: log-in limits are set with LOGIN_LIMIT_PER_ACCOUNT "
                f"and LOGIN_LIMIT_PER_CLIENT, such as '5 per 15 minutes'; set {new} instead "
                f"and remove {old}")
    items = {}
    for kind, setting in SETTINGS.items():
        text = config[setting]
        try:
            items[kind] = parse(text) if isinstance(text, str) else None
        except ValueError:
            items[kind] = None
        if items[kind] is None:
            raise ConfigError(f"{setting} {text!r} is not a limit such as '5 per 15 minutes'")
    uri = config["RATELIMIT_STORAGE_URI"]
    scheme = _scheme(uri) if isinstance(uri, str) else ""
    if scheme not in SCHEMES:
        raise ConfigError(f"RATELIMIT_STORAGE_URI {uri!r} is neither memory:// nor a Redis "
                          "URL such as redis://127.0.0.1:6379")
    return items


def init_app(app: Flask) -> None:
    items = check_settings(app.config)
    app.extensions[EXTENSION] = Throttle(app.config["RATELIMIT_STORAGE_URI"], items)

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(err):
        log.error("the attempt counters (RATELIMIT_STORAGE_URI) cannot be reached: %s", err)
        return render_template(
            "error.html", code=503, title=_("Please try again later"),
            message=_("This form cannot be used at the moment. Please try again in a few "
                      "minutes.")), 503, {"Retry-After": "60"}


def current() -> Throttle:
    return current_app.extensions[EXTENSION]


_proxy_warned = threading.Event()


def client_address() -> str:
    """The client's address as the app sees it (after PROXY_FIX_X_FOR, if set)."""
    if (not _proxy_warned.is_set() and not current_app.config["PROXY_FIX_X_FOR"]
            and "X-Forwarded-For" in request.headers):
        _proxy_warned.set()
        log.warning("requests carry X-Forwarded-For but PROXY_FIX_X_FOR is 0: if the shop "
                    "is behind a proxy, every visitor counts as the proxy's address for the "
                    "attempt limits; set PROXY_FIX_X_FOR to the number of proxies in front")
    return request.remote_addr or ""


def take_login(email: str) -> Refused | None:
    """One log-in attempt: a slot for the client's address, then one for the account."""
    return current().take((LOGIN_CLIENT, client_address()), (LOGIN_ACCOUNT, email))


def take_mail(email: str) -> Refused | None:
    """One request for a mail (registration, password reset), per address and per e-mail."""
    return current().take((MAIL_CLIENT, client_address()), (MAIL_ACCOUNT, email))


def take_guest_order() -> Refused | None:
    """One order placed without an account, per client address (unpaid orders hold stock)."""
    return current().take((GUEST_ORDER_CLIENT, client_address()))


def forget_login_failures(email: str) -> None:
    current().clear(LOGIN_ACCOUNT, email)
