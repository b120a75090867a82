"""A crash by killing the process between two steps (issue 20, point 1).

The shop runs as a real gunicorn process with no worker beside it. A member checks out over
HTTP and staff presses a button; then the server is SIGKILLed, process group and all. What
the request committed is all there is: the order's change, its events and their deliveries,
but none of the reactions (points, messages, tickets), which belong to the worker. Then
`storefront worker --until-idle` runs, on an app of its own in the test's process (the
killed server's memory is gone either way; a new Python process would only add its 3 s of
start-up): each reaction happens once, and running the worker and every job again changes
nothing.

In the design before domain events the reactions ran inside the request, so the points
were earned (or released, or taken back) before the kill and these tests fail on it.

The worker is killed too: inside core:deliver, the job that brings lost work back, it must
not keep that job to itself for long (it kept it for an hour).

On SQLite and PostgreSQL; the queue is a SQLite file (the default kind of WORKER_QUEUE),
the mail goes to the processes' output (MAIL_BACKEND=console), counted there.
"""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from loyalty_plugins.events.models import Registration
from loyalty_plugins.points.models import PointsEntry
from storefront.catalog.models import Product
from storefront.cli import main
from storefront.events.models import DomainEvent, EventDelivery
from storefront.extensions import db
from storefront.jobs.models import JobState
from storefront.notifications.models import Notification
from storefront.notifications.service import SENDING_LEASE, notify
from storefront.orders.models import Order
from storefront.timeutil import utcnow
from tests.conftest import base_config
from tests.events_support import event_file, events_content
from tests.points_support import balance, give, ledger_matches_cache, loyalty_app
from tests.support.http_shop import (
    add_to_cart,
    check_out,
    log_in,
    redeem_points,
    staff_action,
)
from tests.support.live_server import Visitor
from tests.support.processes import gunicorn, shop_environment, started, wait_for

MEMBER = "mia@example.com"
OWNER = "olivia@example.com"
START_POINTS = 300
REDEEMED = 150  # 1.50 of a 37.60 order (3 x 10.90 + 4.90 shipping)
COFFEE = ("/products/colombia-huila", "COF-COL-250")
MAIL = "----- mail -----"


@dataclass
class Deployment:
    """The shop as processes on one database: gunicorn when served, the worker when run.
    ``app`` is the same shop in the test process, to set up and to look."""

    app: Flask
    env: dict[str, str]
    folder: Path
    queue_file: Path
    outputs: list[str]
    new_app: Callable[..., Flask]  # another app with the deployment's settings

    def serve(self):
        return gunicorn(self.env, self.folder, workers=2)

    def run(self, *args: str, **settings: object) -> str:
        """``storefront ARGS`` on a new app (``settings`` changed); its output."""
        result = self.new_app(**settings).test_cli_runner().invoke(main, args)
        assert result.exit_code == 0, (args, result.output[-3000:], result.exception)
        self.outputs.append(result.output)
        return result.output

    def work(self, **settings: object) -> str:
        """`storefront worker --until-idle`: the queue, and the jobs that are due."""
        return self.run("worker", "--until-idle", **settings)

    def mails(self, subject: str) -> int:
        """How many mails with this subject the worker runs printed."""
        return sum(out.count(f"\nSubject: {subject}\n") for out in self.outputs)

    def order(self, token: str) -> Order:
        with self.app.app_context():
            order = db.session.scalar(select(Order).where(Order.public_token == token))
            db.session.expunge(order)
            return order


@pytest.fixture
def make_deployment(make_app, database_url, tmp_path):
    """``make_deployment(**settings)``: the shop with points and events, its queue a SQLite
    file, mail printed by the processes unless ``settings`` say otherwise."""
    def make(**overrides) -> Deployment:
        folder = tmp_path / "run"
        queue_file = folder / "queue.sqlite3"
        content = events_content(tmp_path / "content")
        event_file(content, "tasting", audience="members", capacity=10, price="25.00",
                   guests=0)
        settings = {"MAIL_BACKEND": "console", "WORKER_QUEUE": f"sqlite:///{queue_file}",
                    "CONTENT_DIR": str(content), **overrides}
        folder.mkdir()
        app = loyalty_app(make_app, plugins=("points", "events"),
                          settings={"events": {"invitations": False}}, **settings)
        env = shop_environment(base_config(database_url, tmp_path / "instance",
                                           LOAD_ENTRY_POINT_PLUGINS=True, **settings))
        return Deployment(app, env, folder, queue_file, [], lambda **changed: make_app(
            LOAD_ENTRY_POINT_PLUGINS=True, **{**settings, **changed}))

    return make


@pytest.fixture
def deployment(make_deployment) -> Deployment:
    return make_deployment()


def create_accounts(deployment: Deployment) -> int:
    """The member (with START_POINTS points) and the owner; the member's id."""
    from storefront.accounts.models import Role
    from storefront.accounts.service import create_user

    with deployment.app.app_context():
        member_id = create_user(MEMBER, "correct horse battery", "Mia").id
        create_user(OWNER, "correct horse battery", "Olivia", Role.OWNER)
    give(deployment.app, member_id, START_POINTS, key="crash-test-start")
    return member_id


def buy_coffee(server, redeem: int = REDEEMED) -> tuple[Visitor, str]:
    """The member checks out three bags of coffee by bank transfer, paying ``redeem``
    points; the order's public token."""
    mia = Visitor(server)
    log_in(mia, MEMBER)
    add_to_cart(mia, *COFFEE, quantity=3)
    if redeem:
        redeem_points(mia, redeem)
    return mia, check_out(mia, MEMBER, "Mia")


def owner(server) -> Visitor:
    visitor = Visitor(server)
    log_in(visitor, OWNER)
    return visitor


def entries(app, order_id: int) -> list[tuple[str, str, int]]:
    """The order's points ledger entries: (kind, bucket, delta), in order."""
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(PointsEntry.kind, PointsEntry.bucket, PointsEntry.delta)
            .where(PointsEntry.order_id == order_id).order_by(PointsEntry.id))]


def deliveries(app, order_id: int) -> Counter:
    """The order's events' deliveries: (event type, consumer, status) -> how many."""
    with app.app_context():
        return Counter(tuple(row) for row in db.session.execute(
            select(DomainEvent.type, EventDelivery.consumer, EventDelivery.status)
            .join(EventDelivery, EventDelivery.event_id == DomainEvent.id)
            .where(DomainEvent.aggregate_type == "order",
                   DomainEvent.aggregate_id == str(order_id))))


def statuses(counted: Counter) -> set[str]:
    return {status for (_type, _consumer, status) in counted}


def messages(app, template: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(Notification.status).where(
            Notification.template == template).order_by(Notification.id)))


def everything(app) -> dict:
    """What a reaction could change, to show that a later run changed none of it."""
    with app.app_context():
        def rows(*columns):
            return db.session.execute(select(*columns).order_by(columns[0])).all()

        return {
            "orders": rows(Order.id, Order.status, Order.refunded_total),
            "points": rows(PointsEntry.id, PointsEntry.kind, PointsEntry.delta),
            "deliveries": rows(EventDelivery.id, EventDelivery.status, EventDelivery.attempts),
            "messages": rows(Notification.id, Notification.status, Notification.attempts),
            "registrations": rows(Registration.id, Registration.status),
            "stock": rows(Product.sku, Product.stock),
        }


def telling_lost(deployment: Deployment) -> None:
    """The process died between its commit and telling the worker: the queue holds nothing.
    Time travel: the deliveries and messages are made due as they are UNTOLD_AFTER (30 s)
    after their commit, instead of waiting those 30 s."""
    deployment.queue_file.unlink()
    with deployment.app.app_context():
        now = utcnow()
        db.session.execute(update(EventDelivery).where(EventDelivery.status == "pending")
                           .values(next_attempt_at=now))
        db.session.execute(update(Notification).where(Notification.status == "pending")
                           .values(next_attempt_at=now))
        db.session.commit()


def again_changes_nothing(deployment: Deployment) -> None:
    """The worker once more, and every job forced: nothing moves, no mail goes out."""
    before = everything(deployment.app)
    mails = sum(out.count(MAIL) for out in deployment.outputs)
    deployment.work()
    assert "core:deliver" in deployment.run("jobs", "run", "--force")
    assert everything(deployment.app) == before
    assert sum(out.count(MAIL) for out in deployment.outputs) == mails


@pytest.mark.parametrize("telling", ["told", "lost"])
def test_an_order_paid_just_before_the_kill_earns_its_points_once_from_the_worker(
        deployment, telling):
    member_id = create_accounts(deployment)
    app = deployment.app
    with deployment.serve() as server:
        _, token = buy_coffee(server)
        order = deployment.order(token)
        assert "marked as paid" in staff_action(owner(server), order.id, "mark-paid")
        server.process.kill()
        served = server.process.output()

    # Only what the requests committed: the order is paid, its points still reserved.
    assert deployment.order(token).status == "paid"
    assert balance(app, member_id) == (START_POINTS - REDEEMED, 0, REDEEMED)
    assert entries(app, order.id) == [("reserve", "available", -REDEEMED),
                                      ("reserve", "reserved", REDEEMED)]
    placed_and_paid = deliveries(app, order.id)
    assert statuses(placed_and_paid) == {"pending"}
    assert {(kind, consumer) for kind, consumer, _ in placed_and_paid} >= {
        ("order.placed", "shop"), ("order.paid", "shop"), ("order.paid", "points")}
    assert messages(app, "order_paid.txt") == [] and MAIL not in served

    if telling == "lost":
        telling_lost(deployment)
    deployment.work()

    earned = [delta for kind, _, delta in entries(app, order.id) if kind == "earn"]
    assert len(earned) == 1 and earned[0] > 0
    assert entries(app, order.id) == [
        ("reserve", "available", -REDEEMED), ("reserve", "reserved", REDEEMED),
        ("spend", "reserved", -REDEEMED), ("earn", "pending", earned[0])]
    assert balance(app, member_id) == (START_POINTS - REDEEMED, earned[0], 0)
    assert ledger_matches_cache(app, member_id)
    assert statuses(deliveries(app, order.id)) == {"done"}
    assert messages(app, "order_paid.txt") == ["sent"]
    assert deployment.mails(f"Your order {order.number} is paid") == 1
    assert deployment.mails(f"We received your order {order.number}") == 1

    again_changes_nothing(deployment)


def test_a_refund_just_before_the_kill_takes_the_earned_points_back_once(deployment):
    member_id = create_accounts(deployment)
    app = deployment.app
    with deployment.serve() as server:
        _, token = buy_coffee(server, redeem=0)
        order = deployment.order(token)
        staff = owner(server)
        staff_action(staff, order.id, "mark-paid")
        deployment.work()  # the worker runs for a while, then is gone: the points are earned
        [earned] = [delta for kind, _, delta in entries(app, order.id) if kind == "earn"]
        staff_action(staff, order.id, "refund", {"amount": "37.60", "reason": "broken bags"})
        server.process.kill()

    assert deployment.order(token).status == "refunded"
    assert balance(app, member_id) == (START_POINTS, earned, 0)  # nothing taken back yet
    assert [kind for kind, _, _ in entries(app, order.id)] == ["earn"]
    assert deliveries(app, order.id)[("order.refunded", "points", "pending")] == 1

    deployment.work()

    assert entries(app, order.id) == [("earn", "pending", earned),
                                      ("reverse", "pending", -earned)]
    assert balance(app, member_id) == (START_POINTS, 0, 0)
    assert ledger_matches_cache(app, member_id)
    assert statuses(deliveries(app, order.id)) == {"done"}
    again_changes_nothing(deployment)


def test_a_cancellation_just_before_the_kill_releases_the_reserved_points_once(deployment):
    member_id = create_accounts(deployment)
    app = deployment.app
    with app.app_context():
        stock = db.session.scalar(select(Product.stock).where(Product.sku == COFFEE[1]))
    with deployment.serve() as server:
        _, token = buy_coffee(server)
        order = deployment.order(token)
        assert "cancelled" in staff_action(owner(server), order.id, "cancel")
        server.process.kill()

    assert deployment.order(token).status == "cancelled"
    with app.app_context():  # the stock came back with the cancellation itself
        assert db.session.scalar(select(Product.stock).where(Product.sku == COFFEE[1])) == stock
    assert balance(app, member_id) == (START_POINTS - REDEEMED, 0, REDEEMED)
    assert deliveries(app, order.id)[("order.cancelled", "points", "pending")] == 1

    deployment.work()

    assert entries(app, order.id) == [
        ("reserve", "available", -REDEEMED), ("reserve", "reserved", REDEEMED),
        ("release", "available", REDEEMED), ("release", "reserved", -REDEEMED)]
    assert balance(app, member_id) == (START_POINTS, 0, 0)
    assert ledger_matches_cache(app, member_id)
    assert statuses(deliveries(app, order.id)) == {"done"}
    again_changes_nothing(deployment)


def test_a_ticket_paid_just_before_the_kill_is_confirmed_and_mailed_once(deployment):
    member_id = create_accounts(deployment)
    app = deployment.app
    with deployment.serve() as server:
        mia = Visitor(server)
        log_in(mia, MEMBER)
        add_to_cart(mia, "/events/tasting", "EVENT-TASTING")
        order = deployment.order(check_out(mia, MEMBER, "Mia"))
        staff_action(owner(server), order.id, "mark-paid")
        server.process.kill()

    with app.app_context():
        [registration] = db.session.scalars(select(Registration)).all()
        assert (registration.user_id, registration.order_id) == (member_id, order.id)
        assert registration.status == "pending"  # confirmed by the worker, not the request
    assert messages(app, "events_ticket.txt") == []
    assert deliveries(app, order.id)[("order.paid", "events", "pending")] == 1

    deployment.work()

    with app.app_context():
        assert db.session.scalars(select(Registration.status)).all() == ["confirmed"]
    assert messages(app, "events_ticket.txt") == ["sent"]
    assert deployment.mails("Your ticket: Tasting") == 1
    assert statuses(deliveries(app, order.id)) == {"done"}
    again_changes_nothing(deployment)


def test_a_worker_killed_inside_core_deliver_leaves_the_job_to_the_next_run_soon(
        make_deployment):
    """core:deliver is how lost work comes back after a crash; a worker killed while running
    it must not keep it to itself: its claim on the job lapses within CLAIM_SECONDS (two
    minutes), where it lasted an hour before (the job, and every retry, waited that long)."""
    silent = socket.create_server(("127.0.0.1", 0))  # takes connections, never says hello
    try:
        deployment = make_deployment(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1",
                                     SMTP_PORT=silent.getsockname()[1])
        app = deployment.app
        with app.app_context():
            message_id = notify("register_confirm.txt", "A message core:deliver sends",
                                email="ana@example.com", name="Ana", hours=24,
                                link="http://localhost/x").id
            db.session.commit()
        telling_lost(deployment)  # so core:deliver is the one to send it
        with started("worker", ["-m", "storefront.cli", "worker", "--until-idle"],
                     deployment.env, deployment.folder) as worker:
            wait_for(lambda: sending(app, message_id), 60,
                     "core:deliver to be sending the message")
            worker.kill()  # in the middle of core:deliver
    finally:
        silent.close()
    with app.app_context():
        assert db.session.get(JobState, "core:deliver").claimed_until is not None

    # Five minutes later (time travel: the job's claim and the message's sending lease are
    # moved back by that much), the mail server works again and the next worker run sends
    # the message: core:deliver ran.
    with app.app_context():
        state = db.session.get(JobState, "core:deliver")
        state.claimed_until -= SENDING_LEASE
        message = db.session.get(Notification, message_id)
        message.next_attempt_at -= SENDING_LEASE
        db.session.commit()
    deployment.work(MAIL_BACKEND="console")
    with app.app_context():
        assert db.session.get(Notification, message_id).status == "sent"
    assert deployment.mails("A message core:deliver sends") == 1


def sending(app, message_id: int) -> bool:
    """The message is claimed by a send under way (core:deliver's, the only one told)."""
    with app.app_context():
        state = db.session.get(JobState, "core:deliver")
        claimed = state is not None and state.claimed_until is not None
        return claimed and db.session.get(Notification, message_id).attempts == 1
