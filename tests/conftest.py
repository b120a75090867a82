"""Every database test runs twice: on SQLite and on a real PostgreSQL started here. A Redis
server is started too, for the tests that ask for one (``redis_server``, ``redis_url``)."""

from __future__ import annotations

import contextlib
import email.policy
import itertools
import re
import shutil
import tempfile
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import psycopg
import pytest
from aiosmtpd.controller import Controller
from hypothesis import HealthCheck, settings
from sqlalchemy import select, update

from storefront import create_app
from storefront.accounts.models import User
from storefront.catalog.models import Product
from storefront.catalog.sync import sync_products
from storefront.content.loader import load_content
from storefront.database import migrate
from storefront.extensions import db
from storefront.notifications.models import Notification
from tests.support import localstripe, postgres, ramdisk
from tests.support import redis as redis_support
from tests.support.app_pool import AppPool
from tests.support.compiled_templates import share_compiled_templates
from tests.support.forms import hidden_fields, post_form
from tests.support.live_server import CHROMIUM, chromium_browser
from tests.support.smtp import Inbox

ROOT = Path(__file__).resolve().parent.parent
# Hypothesis times each example (its deadline and its "too slow" health check): on a busy
# machine that fails a test for the machine's speed, and the tests never assert wall-clock time.
settings.register_profile("storefront", deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("storefront")


def pytest_configure(config: pytest.Config) -> None:
    # Every throwaway file of the tests (pytest's tmp_path, the PostgreSQL cluster) goes to
    # memory where there is room: tests/support/ramdisk.py. Each xdist worker does the same.
    memory = ramdisk.folder()
    if memory is not None:
        tempfile.tempdir = str(memory)


TEST_SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
_db_counter = itertools.count()


def base_config(database_url: str, instance: Path, **overrides) -> dict:
    config = {
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "CONTENT_DIR": str(ROOT / "content"),
        "MAIL_BACKEND": "file",
        "MAIL_FILE_DIR": str(instance / "mail"),
        "LOAD_ENTRY_POINT_PLUGINS": False,
        "BASE_URL": "http://localhost",
        # Events and messages are delivered as they are queued: after the commit, once
        # the request is over (the shop's own tests run the real worker too).
        "WORKER_QUEUE": "immediate",
        # argon2id's smallest cost: the tests make thousands of accounts and log-ins, at
        # about 50 ms each at the production cost (test_security.py checks that default).
        "PASSWORD_HASH_MEMORY_KIB": 8,
        "PASSWORD_HASH_TIME_COST": 1,
    }
    config.update(overrides)
    return config


def _prepare_template(url: str, instance: Path) -> None:
    # Every installed plugin's tables exist, as in a shop that ran `storefront db upgrade`.
    app = create_app(base_config(url, instance, LOAD_ENTRY_POINT_PLUGINS=True),
                     instance_path=str(instance))
    migrate.upgrade(app)
    with app.app_context():
        sync_products(load_content(ROOT / "content"))
        db.engine.dispose()


@pytest.fixture(scope="session")
def pg_cluster():
    try:
        cluster = postgres.start_cluster()
    except FileNotFoundError as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}; install postgresql to run them")
    instance = cluster.root.parent / f"{cluster.root.name}-instance"
    try:
        with psycopg.connect(f"host=127.0.0.1 port={cluster.port} user=postgres",
                             autocommit=True) as conn:
            conn.execute("CREATE DATABASE storefront_template")
        _prepare_template(f"{cluster.url}/storefront_template", instance)
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(instance, ignore_errors=True)  # the template's instance folder


@pytest.fixture(scope="session")
def redis_server():
    """Debian's redis-server on 127.0.0.1 (a free port, nothing kept on disk), started the
    first time a test of this session asks for it and stopped at the end."""
    try:
        server = redis_support.start_server()
    except FileNotFoundError as exc:
        pytest.skip(f"Redis tests skipped: {exc}; install redis-server to run them")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    """The session's Redis, emptied for this test: redis://127.0.0.1:PORT."""
    redis_server.flush()
    return redis_server.url


@pytest.fixture(scope="session")
def localstripe_server():
    """localstripe (the Stripe API's fake) on 127.0.0.1, started on first use."""
    server = localstripe.start()
    yield server
    server.stop()


@pytest.fixture
def stripe_api(localstripe_server):
    """localstripe, emptied: every test sees only its own PaymentIntents and refunds."""
    localstripe_server.flush()
    return localstripe_server


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    _prepare_template(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


# For a test whose subject is not the database (counters in memory or Redis, themes, a plugin
# that hangs): on PostgreSQL it would run the same Python again. Whatever the two databases
# do differently is tested on both.
ON_SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)


def fresh_sqlite(template: Path, path: Path) -> str:
    """A copy of ``template`` at ``path`` (a new file: whoever still holds the old one keeps
    it), and its URL."""
    for leftover in (path, path.with_name(path.name + "-wal"),
                     path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def shop_folder(tmp_path_factory) -> Path:
    """Where this test process keeps its shop database and its kept apps."""
    return tmp_path_factory.mktemp("shop")


@pytest.fixture
def database_url(backend, request, shop_folder) -> str:
    """A copy of the template, new for each test; always at the same address in one test
    process, so that an app kept from an earlier test (``app_pool``) finds it."""
    if backend == "sqlite":
        return fresh_sqlite(request.getfixturevalue("sqlite_template"),
                            shop_folder / "shop.sqlite3")
    shop = request.getfixturevalue("pg_shop")
    url = shop.fresh()
    request.getfixturevalue("app_pool").database_made(shop.made_again)
    return url


@pytest.fixture(scope="session")
def pg_shop(pg_cluster) -> postgres.KeptDatabase:
    return postgres.KeptDatabase(pg_cluster, "shop", "storefront_template")


@pytest.fixture
def empty_database(backend, request, tmp_path):
    """A database with no tables at all: a SQLite file that does not exist yet, or a new
    PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    cluster = request.getfixturevalue("pg_cluster")
    with cluster.database(f"fresh_{next(_db_counter)}") as url:
        yield url


@contextlib.contextmanager
def app_factory(database_url: str, instance: Path, **defaults):
    """``factory(**overrides)`` makes apps on ``database_url``; their connections are closed
    afterwards."""
    apps = []

    def factory(**overrides):
        app = create_app(base_config(database_url, instance, **{**defaults, **overrides}),
                         instance_path=str(instance))
        share_compiled_templates(app)
        apps.append(app)
        return app

    try:
        yield factory
    finally:
        for app in apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


@pytest.fixture(scope="session")
def chromium():
    """One Chromium per test process, started the first time a test asks for it: launching
    it takes 1.5-2 s, and each test gets fresh contexts (cookies, storage) of its own."""
    pytest.importorskip("playwright.sync_api", reason="browser tests need playwright")
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}")
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def browser(chromium):
    """The session's Chromium; the contexts and pages a test opens are closed after it."""
    yield chromium
    for context in chromium.contexts:
        context.close()


@pytest.fixture
def smtp():
    """A mail server on localhost: (its inbox, its port, its controller)."""
    inbox = Inbox()
    port = postgres.free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port, controller
    controller.stop()


@pytest.fixture(scope="session")
def app_pool(shop_folder) -> AppPool:
    return AppPool(shop_folder / "apps", base_config)


@pytest.fixture
def make_app(database_url, app_pool, tmp_path):
    """``make_app(**settings)``: the shop on this test's database; an app made for an
    earlier test with the same settings is reused, reset (tests/support/app_pool.py)."""
    with app_pool.lend(database_url, tmp_path / "instance" / "mail") as factory:
        yield factory


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


class Shop:
    """What a shopper and an owner do, through HTTP, the way the pages let them."""

    def __init__(self, app):
        self.app = app

    def register(self, client, email="ana@example.com", password="correct horse battery",
                 name="Ana", next_url=None, mails=None):
        """Fill in the form and open the link of the mail it sends: the answer to the link
        (logged in, on the way to ``next_url`` or the account page). ``mails``: where the
        mail arrives (a callable giving the texts), else MAIL_FILE_DIR."""
        action = f"/register?next={next_url}" if next_url else "/register"
        answer = post_form(client, action, action, {
            "name": name, "email": email, "password": password, "confirm": password})
        assert answer.status_code == 200, answer.status_code
        assert "Check your email" in answer.get_data(as_text=True)
        return client.get(self.link(email, "/register/finish/", mails))

    def link(self, email, path, mails=None):
        """The path of the newest link starting with ``path`` mailed to ``email``."""
        for mail in reversed((mails or self.mails)()):
            found = re.search(rf"http://localhost({re.escape(path)}\S+)", mail)
            if found and f"to: {email.strip().lower()}" in mail.lower():
                return found.group(1)
        raise AssertionError(f"no mail to {email} with a link to {path}; "
                             f"{self._whereabouts(email)}")

    def _whereabouts(self, email) -> str:
        """What was mailed and what the shop recorded: a missing mail explains itself."""
        folder = Path(self.app.config["MAIL_FILE_DIR"])
        files = sorted(p.name for p in folder.glob("*")) if folder.exists() else "no folder"
        with self.app.app_context():
            rows = db.session.execute(select(
                Notification.id, Notification.email, Notification.template,
                Notification.status, Notification.attempts, Notification.last_error)).all()
            known = db.session.scalar(select(User.id).where(User.email == email))
        return (f"mail folder {folder}: {files}; messages in the database: "
                f"{[tuple(row) for row in rows]}; account of {email}: {known}")

    def login(self, client, email, password):
        return post_form(client, "/login", "/login", {"email": email, "password": password})

    def add(self, client, sku, quantity=1):
        slug = self.product(sku).slug
        return post_form(client, f"/products/{slug}", "/cart/add",
                         {"sku": sku, "quantity": str(quantity)})

    def checkout_fields(self, client) -> dict:
        page = client.get("/checkout")
        assert page.status_code == 200, page.status_code
        return hidden_fields(page.get_data(as_text=True))

    def checkout(self, client, email="guest@example.com", name="Guest Shopper",
                 address="1 Main Street, Springfield", **override):
        fields = self.checkout_fields(client)
        data = {**fields, "email": email, "name": name, "address": address, **override}
        return client.post("/checkout", data=data)

    def product(self, sku) -> Product:
        with self.app.app_context():
            product = db.session.scalar(select(Product).where(Product.sku == sku))
            db.session.expunge(product)
            return product

    def set_stock(self, sku, stock):
        with self.app.app_context():
            db.session.execute(update(Product).where(Product.sku == sku).values(stock=stock))
            db.session.commit()

    def create_user(self, email, password="correct horse battery", role="customer", name="X"):
        from storefront.accounts.models import Role
        from storefront.accounts.service import create_user

        with self.app.app_context():
            return create_user(email, password, name, Role(role)).id

    def mails(self) -> list[str]:
        """The mails sent so far, oldest first, as a person reads them: the headers, then
        the body decoded (a body with long or non-ASCII lines is sent quoted-printable)."""
        folder = Path(self.app.config["MAIL_FILE_DIR"])
        if not folder.exists():
            return []
        files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        return [_readable(BytesParser(policy=email.policy.default).parsebytes(p.read_bytes()))
                for p in files]


def _readable(message: EmailMessage) -> str:
    headers = "".join(f"{name}: {value}\n" for name, value in message.items())
    return f"{headers}\n{message.get_content()}"


@pytest.fixture
def shop(app):
    return Shop(app)
