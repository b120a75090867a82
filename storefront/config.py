"""Configuration: defaults, then instance/config.py, then STOREFRONT_* environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app

PROJECT_ROOT = Path(__file__).resolve().parent.parent

WEAK_SECRET_KEYS = {"", "dev", "secret", "changeme", "change-me", "development", "test"}
MIN_SECRET_KEY_LENGTH = 32
OWASP_HASH_MEMORY_KIB = 19 * 1024  # argon2id, m=19 MiB, t=2, p=1
OWASP_HASH_TIME_COST = 2


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def defaults(instance_path: str) -> dict:
    return {
        "ENV_NAME": "development",  # "production" turns on every safety check
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'storefront.sqlite3'}",
        "SHOP_NAME": "Storefront",
        "BASE_URL": "http://127.0.0.1:5000",
        "CURRENCY": "EUR",
        # The languages pages are offered in (codes), and the one for a visitor whose browser
        # asks for none of them; see storefront/i18n.py.
        "LANGUAGES": ["en", "es"],
        "DEFAULT_LANGUAGE": "en",
        # The shop's time zone (an IANA name): what "today" is for the shop and its plugins.
        "SHOP_TIMEZONE": "UTC",
        "SHIPPING_FEE": 490,  # minor units
        "FREE_SHIPPING_FROM": 5000,  # minor units; 0 turns free shipping off
        "MAX_QUANTITY_PER_LINE": 99,
        # Seconds a shared cache (reverse proxy, CDN) may serve a public page to guests
        # without asking the shop (s-maxage); see storefront/web/guest_pages.py.
        "PUBLIC_PAGE_CACHE_SECONDS": 10,
        # Public pages for guests, kept per worker process (0: render every request).
        "GUEST_PAGE_CACHE_SIZE": 1024,
        "GUEST_PAGE_CACHE_SECONDS": 60,
        # How long a SQLite write waits for the one write lock before it fails.
        "SQLITE_BUSY_TIMEOUT_MS": 10000,
        "CONTENT_DIR": str(PROJECT_ROOT / "content"),
        "THEMES_DIR": str(PROJECT_ROOT / "themes"),
        "THEME": "default",
        "PAYMENT_PROVIDER": "auto",  # auto: stripe when keys are set, else offline
        "STRIPE_SECRET_KEY": "",
        "STRIPE_PUBLISHABLE_KEY": "",
        "STRIPE_WEBHOOK_SECRET": "",
        "STRIPE_API_BASE": "",  # only for tests against localstripe
        "STRIPE_JS_URL": "https://js.stripe.com/v3/",
        "MAIL_BACKEND": "console",  # console | file | smtp
        "MAIL_FROM": "shop@localhost",
        "MAIL_FILE_DIR": str(Path(instance_path) / "mail"),
        "SMTP_HOST": "localhost",
        "SMTP_PORT": 25,
        "SMTP_USERNAME": "",
        "SMTP_PASSWORD": "",
        "SMTP_STARTTLS": False,
        # Where the worker's tasks wait: sqlite:///PATH (no server), redis://HOST:PORT/DB
        # (several hosts), memory (one process) or immediate (tests: run as queued).
        "WORKER_QUEUE": f"sqlite:///{Path(instance_path) / 'queue.sqlite3'}",
        "EVENT_RETRY_SECONDS": 30,  # first pause after a failed delivery; doubles each time
        "EVENT_MAX_ATTEMPTS": 10,  # then the delivery is on the dead-letter list
        # Shown to shoppers who pay by bank transfer (order page and "order received" mail).
        "SHOP_BANK_DETAILS": "",
        "PASSWORD_RESET_MAX_AGE": 3600,
        # argon2id's cost (storefront/accounts/passwords.py); production refuses less.
        "PASSWORD_HASH_MEMORY_KIB": OWASP_HASH_MEMORY_KIB,
        "PASSWORD_HASH_TIME_COST": OWASP_HASH_TIME_COST,
        # Attempt limits (limits' notation: N per M seconds|minutes|hours), counted before the
        # work: at most N in any M; see storefront/web/throttle.py.
        "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",  # per e-mail address typed
        "LOGIN_LIMIT_PER_CLIENT": "20 per 15 minutes",  # per client address
        "MAIL_LIMIT_PER_ACCOUNT": "3 per hour",  # registration and reset mails, per e-mail
        "MAIL_LIMIT_PER_CLIENT": "10 per hour",
        "GUEST_ORDER_LIMIT_PER_CLIENT": "10 per hour",  # orders placed without an account
        # Hours an order may wait for its payment, per payment method; then it is cancelled
        # and what it held (stock, points, seats) is released.
        "UNPAID_ORDER_HOURS": {"offline": 168, "stripe": 24},
        # Where the counters live: memory:// (one process) or redis://HOST:PORT (shared).
        "RATELIMIT_STORAGE_URI": "memory://",
        # Reverse proxies in front of the shop whose X-Forwarded-For is trusted (0: none).
        "PROXY_FIX_X_FOR": 0,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": 3600,
        "CONTENT_SECURITY_POLICY": "",  # empty: the built-in policy (no inline script)
        "SYNC_CONTENT_ON_START": False,
        # Plugins given in code (objects, or "package.module:attribute"); on unless disabled.
        "EXTRA_PLUGINS": (),
        # A hook call of one plugin slower than this is logged as a warning (0: every call).
        "PLUGIN_HOOK_BUDGET_MS": 250,
        # Each process writes its plugin hook timings at most this often (Admin -> Plugins).
        "PLUGIN_TIMINGS_FLUSH_SECONDS": 60,
        "PLUGINS_ENABLED_BY_DEFAULT": [],  # names on until an owner disables them
        "MAX_DISCOUNT_PERCENT": 100,  # line + order discounts never exceed this % of subtotal
        "LOAD_ENTRY_POINT_PLUGINS": True,
        # The static site (`storefront build`): where it is published (sitemap, CORS origin
        # for /api/me; empty: BASE_URL) and the default output folder.
        "STATIC_SITE_URL": "",
        "STATIC_BUILD_DIR": str(Path(instance_path) / "site"),
        # Product pictures in the sizes pages use, made from content/ (served at /media/).
        "MEDIA_DIR": str(Path(instance_path) / "media"),
    }


def load(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("STOREFRONT")
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    else:
        app.config.from_mapping(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(
        app.config["SQLALCHEMY_DATABASE_URI"]
    )
    check_timezone(app.config["SHOP_TIMEZONE"])
    app.config["UNPAID_ORDER_HOURS"] = check_unpaid_hours(app.config["UNPAID_ORDER_HOURS"])
    production = app.config["ENV_NAME"] == "production"
    if production:
        app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = True
        check_secret_key(app.config.get("SECRET_KEY"))
        check_password_hashing(app.config)
    elif not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(Path(app.instance_path))


def normalise_database_url(url: str) -> str:
    """Accept the usual postgres:// and postgresql:// URLs and use the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def check_timezone(name: object) -> ZoneInfo:
    """The shop's time zone, or a ConfigError that names the setting."""
    try:
        if not isinstance(name, str) or not name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"SHOP_TIMEZONE {name!r} is not a time zone name of the IANA database; set "
            "STOREFRONT_SHOP_TIMEZONE to one such as 'Europe/Madrid' or 'UTC'"
        ) from exc


PAYMENT_METHODS = ("offline", "stripe")


def check_unpaid_hours(value: object) -> dict[str, int]:
    """UNPAID_ORDER_HOURS with every payment method, or a ConfigError naming the fault."""
    default = defaults("")["UNPAID_ORDER_HOURS"]
    if not isinstance(value, dict) or not set(value) <= set(PAYMENT_METHODS) or not all(
            isinstance(hours, int) and not isinstance(hours, bool) and hours >= 1
            for hours in value.values()):
        raise ConfigError(
            f"UNPAID_ORDER_HOURS {value!r} must map payment methods ({', '.join(PAYMENT_METHODS)})"
            ' to whole hours of at least 1, such as {"offline": 168, "stripe": 24}')
    return {**default, **value}


def active_provider_name() -> str:
    """The payment provider new orders use: PAYMENT_PROVIDER, where auto is Stripe when its
    secret key is set, else offline."""
    choice = current_app.config["PAYMENT_PROVIDER"]
    if choice == "auto":
        return "stripe" if current_app.config["STRIPE_SECRET_KEY"] else "offline"
    if choice not in PAYMENT_METHODS:
        raise ValueError(f"PAYMENT_PROVIDER must be auto, stripe or offline, not {choice!r}")
    return choice


def check_secret_key(key: str | None) -> None:
    if not key or key.strip().lower() in WEAK_SECRET_KEYS:
        raise ConfigError(
            "SECRET_KEY is missing or a well-known value; set STOREFRONT_SECRET_KEY to at least "
            f"{MIN_SECRET_KEY_LENGTH} random characters (python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))')"
        )
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 10:
        raise ConfigError(
            f"SECRET_KEY is too weak: use at least {MIN_SECRET_KEY_LENGTH} random characters"
        )


def check_password_hashing(config: dict) -> None:
    """Production: argon2id at OWASP's minimum cost or more."""
    memory, passes = config["PASSWORD_HASH_MEMORY_KIB"], config["PASSWORD_HASH_TIME_COST"]
    if not (isinstance(memory, int) and isinstance(passes, int)
            and memory >= OWASP_HASH_MEMORY_KIB and passes >= OWASP_HASH_TIME_COST):
        raise ConfigError(
            f"PASSWORD_HASH_MEMORY_KIB {memory!r} and PASSWORD_HASH_TIME_COST {passes!r} are "
            f"below OWASP's minimum for argon2id: use at least {OWASP_HASH_MEMORY_KIB} and "
            f"{OWASP_HASH_TIME_COST}")


def instance_secret_key(instance: Path) -> str:
    """Development only: a random key kept in the instance folder (never printed)."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key
