"""Fifty members register at once for a twenty-seat event, over HTTP, on the threaded demo
server and on gunicorn (`storefront serve`: 2 sync workers), with the production pool
(SQLAlchemy's default: 5 connections + 10 overflow).

Before the worker, each registration mailed its ticket after the commit from inside the
request, opening a second connection while the request held its first: 38-41 of 50 got a
500 "QueuePool limit of size 5 overflow 10", some after their seat was committed. Now a
request uses one connection and sends nothing; the worker sends the tickets afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from loyalty_plugins.events import service
from loyalty_plugins.events.models import Event, Registration
from storefront.accounts.service import create_user
from storefront.cli import main
from storefront.extensions import db
from storefront.notifications.models import Notification
from tests.conftest import base_config
from tests.events_support import event_file, events_app
from tests.support.live_server import Visitor, live_server, run_together
from tests.support.processes import gunicorn, shop_environment

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

PEOPLE, SEATS = 50, 20
PAGE, ACTION = "/events/big-tasting", "/events/big-tasting/register"


@pytest.fixture
def settings(tmp_path) -> dict:
    # Production's queue (a SQLite file): the request only notes the work for the worker.
    return {"WORKER_QUEUE": f"sqlite:///{tmp_path}/queue.sqlite3",
            "CONTENT_DIR": str(tmp_path / "content")}


@pytest.fixture
def app(make_app, tmp_path, settings):
    event_file(tmp_path / "content", "big-tasting", audience="members", capacity=SEATS,
               guests=0, title="Big Tasting")
    app = events_app(make_app, tmp_path, WORKER_QUEUE=settings["WORKER_QUEUE"])
    with app.test_request_context():
        assert not app.config["SQLALCHEMY_ENGINE_OPTIONS"] and db.engine.pool.size() == 5
        service.ensure_synced()
        for i in range(PEOPLE):
            create_user(f"m{i}@example.com", "correct horse battery", f"M{i}")
    return app


def ticket_messages(app) -> list[str]:
    with app.app_context():
        return db.session.scalars(select(Notification.status).where(
            Notification.subject == "Your ticket: Big Tasting")).all()


def logged_in(server, i: int) -> Visitor:
    visitor = Visitor(server, address=f"127.0.0.{i + 2}")  # one address each, as people are
    answer = visitor.post_form("/login", "/login", {"email": f"m{i}@example.com",
                                                    "password": "correct horse battery"})
    assert answer.status in (302, 303), answer.status
    return visitor


@contextmanager
def served(kind: str, app, settings: dict, database_url: str, tmp_path) -> Iterator:
    """The demo's threaded server in this process, or `storefront serve`'s gunicorn (2 sync
    workers) in processes of its own."""
    if kind == "demo":
        with live_server(app) as server:
            yield server
        return
    env = shop_environment(base_config(database_url, tmp_path / "instance",
                                       LOAD_ENTRY_POINT_PLUGINS=True, **settings))
    (tmp_path / "run").mkdir()
    with gunicorn(env, tmp_path / "run", workers=2) as server:
        yield server


@pytest.mark.parametrize("kind", ["demo", "gunicorn"])
def test_fifty_members_register_at_once_on_the_default_pool_and_nobody_gets_an_error(
        app, settings, database_url, tmp_path, kind):
    with served(kind, app, settings, database_url, tmp_path) as server:
        visitors = [logged_in(server, i) for i in range(PEOPLE)]
        forms = [visitor.form(PAGE, ACTION) for visitor in visitors]
        answers = run_together([lambda v=v, f=f: v.post(ACTION, {**f, "guests": "0"})
                                for v, f in zip(visitors, forms, strict=True)])
    assert sorted({answer.status for answer in answers}) == [303], [
        (a.status, a.text[:200]) for a in answers if a.status != 303]
    with app.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == "big-tasting"))
        assert event.seats_taken == SEATS
        statuses = db.session.scalars(select(Registration.status)).all()
        assert (statuses.count("confirmed"), statuses.count("waitlisted")) == (
            SEATS, PEOPLE - SEATS)
    assert ticket_messages(app) == ["pending"] * SEATS  # written with the seat; not sent yet
    result = app.test_cli_runner().invoke(main, ["worker", "--until-idle"])
    assert result.exit_code == 0, result.output
    assert ticket_messages(app) == ["sent"] * SEATS
