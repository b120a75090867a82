"""Several hosts (issue 14, point 5): two gunicorn app processes (two sync workers each) and
two `storefront worker` processes on one PostgreSQL database and one Redis (the queue and
the log-in counters), mail over SMTP to one server. Nothing the shop needs lives in one
process: a worker killed in the middle of its work loses nothing and doubles nothing, one
that hangs holds up only its own delivery, the log-in limits count over both hosts, and an
owner's change on one host holds on the other. PostgreSQL and Redis only: skipped without
them."""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select, text, update

from loyalty_plugins.points.models import PointsAccount, PointsEntry
from storefront.events import queue
from storefront.events.models import EventDelivery
from storefront.extensions import db
from storefront.jobs.models import JobRun, JobState
from storefront.notifications.models import Notification
from storefront.orders.models import Order
from storefront.timeutil import utcnow
from tests.conftest import base_config
from tests.points_support import balance, give, ledger_matches_cache, loyalty_app
from tests.support.http_shop import (
    PASSWORD,
    add_to_cart,
    check_out,
    log_in,
    redeem_points,
    staff_action,
)
from tests.support.live_server import Visitor, run_together
from tests.support.processes import (
    ServedShop,
    gunicorn,
    owner_of_connection,
    shop_environment,
    started,
    wait_for,
)
from tests.support.smtp import Inbox, smtp_server

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

MEMBERS = 20
START_POINTS = 200
REDEEMED = 100  # of an 18.40 order: 3 x 4.50 and 4.90 shipping
FILTERS = ("/products/paper-filters", "EQP-FLT-100")
OWNER = "olivia@example.com"
WRONG, REFUSED = 401, 429


@dataclass
class Deployment:
    app: Flask  # the same shop in the test process: to set up and to look
    env: dict[str, str]
    folder: Path
    inbox: Inbox

    @contextlib.contextmanager
    def hosts(self):
        """Two app hosts: gunicorn with two sync workers each, on ports of their own."""
        with gunicorn(self.env, self.folder, workers=2, name="host-a") as a, \
                gunicorn(self.env, self.folder, workers=2, name="host-b") as b:
            yield a, b

    def worker(self, name: str):
        return started(name, ["-m", "storefront.cli", "worker", "--threads", "2"], self.env,
                       self.folder)


@pytest.fixture
def deployment(make_app, database_url, redis_url, tmp_path):
    with smtp_server() as (inbox, port):
        settings = {"WORKER_QUEUE": f"{redis_url}/0", "RATELIMIT_STORAGE_URI": redis_url,
                    "MAIL_BACKEND": "smtp", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port}
        app = loyalty_app(make_app, plugins=("points",), **settings)
        env = shop_environment(base_config(database_url, tmp_path / "instance",
                                           LOAD_ENTRY_POINT_PLUGINS=True, **settings))
        yield Deployment(app, env, tmp_path / "run", inbox)


def create_accounts(app: Flask, members: int) -> list[tuple[str, int]]:
    """The owner, and ``members`` members with START_POINTS each: their (email, id)."""
    from storefront.accounts.models import Role
    from storefront.accounts.service import create_user

    with app.app_context():
        create_user(OWNER, PASSWORD, "Olivia", Role.OWNER)
        people = [(f"member{i:02d}@example.com",
                   create_user(f"member{i:02d}@example.com", PASSWORD, f"Member {i}").id)
                  for i in range(members)]
    for email, user_id in people:
        give(app, user_id, START_POINTS, key=f"start:{user_id}")
    return people


def staff_on(server: ServedShop, address: str) -> Visitor:
    """The owner, logged in on ``server``, ready to be shared between threads: the session
    already holds its CSRF token (loading a form stores it)."""
    visitor = Visitor(server, address=address)
    log_in(visitor, OWNER)
    visitor.form("/admin/plugins", "/admin/plugins/points/disable")
    return visitor


def shop_once(visitor: Visitor, email: str) -> str:
    """A member logs in, buys three packs of filters paying REDEEMED points, checks out by
    bank transfer; the order's public token."""
    log_in(visitor, email)
    add_to_cart(visitor, *FILTERS, quantity=3)
    redeem_points(visitor, REDEEMED)
    return check_out(visitor, email)


@contextlib.contextmanager
def account_locked(app: Flask, user_id: int):
    """The member's points account row locked by an open transaction of the test's own, as
    a slow reaction would: a worker delivering to the points plugin for this member waits
    inside its transaction, its delivery claimed and nothing committed."""
    with app.app_context():
        engine = db.engine
    with engine.connect() as conn:
        conn.execute(update(PointsAccount).where(PointsAccount.user_id == user_id)
                     .values(version=PointsAccount.version))
        try:
            yield
        finally:
            conn.rollback()


def waiting_on_points_account(app: Flask) -> int | None:
    """The client port of a database session waiting for a points account's lock."""
    with app.app_context():
        port = db.session.scalar(text(
            "SELECT client_port FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE '%points_account%' LIMIT 1"))
        db.session.rollback()
        return port


def sessions(app: Flask) -> set[int]:
    """The client ports of the database's sessions."""
    with app.app_context():
        ports = set(db.session.scalars(text(
            "SELECT client_port FROM pg_stat_activity WHERE datname = current_database()")))
        db.session.rollback()
        return ports


def open_work(app: Flask) -> tuple[int, int]:
    """(deliveries not done, messages not sent)."""
    with app.app_context():
        return (db.session.scalar(select(func.count()).where(EventDelivery.status != "done")),
                db.session.scalar(select(func.count()).where(Notification.status != "sent")))


def queued(app: Flask) -> int:
    with app.app_context():
        return queue.current().huey.pending_count()


def deliveries_done(app: Flask, event_type: str, consumer: str) -> int:
    from storefront.events.models import DomainEvent

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(EventDelivery).join(
            DomainEvent, DomainEvent.id == EventDelivery.event_id).where(
            DomainEvent.type == event_type, EventDelivery.consumer == consumer,
            EventDelivery.status == "done"))


def untold_time_passes(app: Flask, *, deliver_job_ran: bool = False) -> None:
    """Time travel, instead of waiting up to 90 s: what the killed worker had taken from the
    queue was told to nobody else, and is due for core:deliver UNTOLD_AFTER (30 s) after its
    commit; core:deliver itself runs once a minute. Both moments are moved to now (not for
    a delivery that a hung worker holds locked: that one is left as it is). With
    ``deliver_job_ran`` core:deliver just ran instead, so it is not due for a minute."""
    with app.app_context():
        now = utcnow()
        pending = (select(EventDelivery.id).where(EventDelivery.status == "pending")
                   .with_for_update(skip_locked=True).scalar_subquery())
        db.session.execute(update(EventDelivery).where(EventDelivery.id.in_(pending))
                           .values(next_attempt_at=now))
        db.session.execute(update(Notification).where(Notification.status == "pending")
                           .values(next_attempt_at=now))
        job = db.session.get(JobState, "core:deliver") or JobState(name="core:deliver")
        job.last_success_at = now if deliver_job_ran else now - timedelta(minutes=1)
        db.session.add(job)
        db.session.commit()


def mails_per_order(inbox: Inbox, subject: str) -> dict[str, list[str]]:
    """Order number -> the Message-IDs of the mails with this subject that arrived."""
    found: dict[str, list[str]] = {}
    for title, message_id in zip(inbox.headers("Subject"), inbox.headers("Message-ID"),
                                 strict=True):
        matched = re.fullmatch(subject.replace("{number}", r"(SF-\d+)"), title)
        if matched:
            found.setdefault(matched.group(1), []).append(message_id)
    return found


def arrived_once(app: Flask, inbox: Inbox, subject: str, numbers: list[str]) -> None:
    """Each order's mail with ``subject`` arrived exactly once (one Message-ID, one copy).
    The one exception the design allows: a worker killed after the mail server accepted a
    message and before it recorded that sends it again, with the same Message-ID; then the
    message's row shows the second attempt."""
    arrived = mails_per_order(inbox, subject)
    assert sorted(arrived) == sorted(numbers), (len(arrived), len(numbers))
    with app.app_context():
        attempts = dict(db.session.execute(
            select(Notification.subject, Notification.attempts)).all())
    for number, ids in arrived.items():
        assert len(set(ids)) == 1, (number, ids)
        title = subject.replace("{number}", number)
        assert len(ids) == 1 or (len(ids) == 2 and attempts[title] == 2), (number, ids)


def overlapping_runs(app: Flask) -> list[tuple[str, int, int]]:
    """Runs of one scheduled job that overlapped in time (two workers running it at once)."""
    with app.app_context():
        runs = db.session.execute(select(JobRun.name, JobRun.id, JobRun.started_at,
                                         JobRun.finished_at).order_by(JobRun.id)).all()
    overlaps = []
    for a in runs:
        for b in runs:
            if a.name == b.name and a.id < b.id and b.started_at < (a.finished_at or utcnow()):
                overlaps.append((a.name, a.id, b.id))
    return overlaps


def test_two_hosts_two_workers_one_killed_mid_transaction_every_reaction_once(deployment):
    app = deployment.app
    people = create_accounts(app, MEMBERS)
    first_id = people[0][1]
    with contextlib.ExitStack() as running:
        hosts = running.enter_context(deployment.hosts())
        workers = [running.enter_context(deployment.worker(f"worker-{n}")) for n in (1, 2)]
        # Two staff desks on each host; a desk is one browser, pressing one button at a time.
        desks = [[staff_on(host, f"127.0.0.{2 + 2 * h + d}") for d in range(2)]
                 for h, host in enumerate(hosts)]
        shoppers = [Visitor(hosts[i % 2], address=f"127.0.1.{i + 1}") for i in range(MEMBERS)]

        # Twenty members check out at once, on both hosts; the workers deliver meanwhile.
        tokens = run_together([lambda i=i: shop_once(shoppers[i], people[i][0])
                               for i in range(MEMBERS)])
        with app.app_context():
            orders = [db.session.scalar(select(Order).where(Order.public_token == token))
                      for token in tokens]
            ids, numbers = [o.id for o in orders], [o.number for o in orders]

        # Staff marks every order paid on the other host than the one it was placed on, the
        # first one alone while the first member's account is held: the worker delivering
        # that payment to the points plugin waits there, inside its transaction.
        def desk_pays(host: int, desk: int, orders: list[int]) -> None:
            for i in orders:
                staff_action(desks[host][desk], ids[i], "mark-paid")

        def the_others() -> list[Callable[[], None]]:
            share: dict[tuple[int, int], list[int]] = {}
            for i in range(1, MEMBERS):
                share.setdefault(((i + 1) % 2, i // 2 % 2), []).append(i)
            return [lambda key=key, orders=orders: desk_pays(*key, orders)
                    for key, orders in share.items()]

        with account_locked(app, first_id), ThreadPoolExecutor(1) as background:
            desk_pays(1, 0, [0])
            port = wait_for(lambda: waiting_on_points_account(app), 30,
                            "a worker to wait for the first member's points account")
            victim = owner_of_connection(port, workers)
            assert victim is not None, f"no worker has the connection from port {port}"
            paying = background.submit(run_together, the_others())
            # The others' payments flow; once a few are delivered, the waiting worker dies.
            wait_for(lambda: deliveries_done(app, "order.paid", "points") >= 3, 30,
                     "the first payments to be delivered")
            victim.kill()
            print(f"\nkilled {victim.name} mid-transaction with "
                  f"{deliveries_done(app, 'order.paid', 'points')} of {MEMBERS} payments "
                  f"delivered to points, {queued(app)} tasks queued")
        # The killed worker's transaction is rolled back (its claim, its points): its
        # database session ends once the lock it waited for is free. What it had taken from
        # the queue is lost: nobody else is told of it.
        wait_for(lambda: port not in sessions(app), 30, "the killed worker's session to end")
        paying.result(timeout=60)
        survivor = next(w for w in workers if w is not victim)
        assert survivor.alive() and not victim.alive()
        wait_for(lambda: queued(app) == 0, 30, "the surviving worker to empty the queue")
        assert open_work(app)[0] > 0  # the killed worker's delivery still waits

        untold_time_passes(app)
        running.enter_context(deployment.worker("worker-3"))  # its scheduler looks at once
        wait_for(lambda: open_work(app) == (0, 0), 30,
                 "every delivery done and every message sent")

    with app.app_context():
        assert set(db.session.scalars(select(Order.status).where(Order.id.in_(ids)))) == {
            "paid"}
        earned = Counter(db.session.scalars(select(PointsEntry.order_id).where(
            PointsEntry.kind == "earn")))
        spent = Counter(db.session.scalars(select(PointsEntry.order_id).where(
            PointsEntry.kind == "spend")))
    assert earned == Counter(ids) and spent == Counter(ids)  # once per order, every one
    for _email, user_id in people:
        available, pending, reserved = balance(app, user_id)
        assert (available, reserved) == (START_POINTS - REDEEMED, 0) and pending > 0
        assert ledger_matches_cache(app, user_id)
    arrived_once(app, deployment.inbox, "Your order {number} is paid", numbers)
    arrived_once(app, deployment.inbox, "We received your order {number}", numbers)
    assert overlapping_runs(app) == []


def test_log_in_attempts_count_over_both_hosts(deployment):
    create_accounts(deployment.app, 1)
    with deployment.hosts() as hosts:
        answers = [Visitor(hosts[i % 2]).post_form("/login", "/login", {
            "email": "member00@example.com", "password": f"guess {i}"}).status
            for i in range(6)]
    assert answers == [WRONG] * 5 + [REFUSED]  # LOGIN_LIMIT_PER_ACCOUNT: 5 per 15 minutes


def test_a_plugin_disabled_on_one_host_is_off_at_the_next_request_of_the_other(deployment):
    [(email, _)] = create_accounts(deployment.app, 1)
    with deployment.hosts() as (a, b):
        member = Visitor(b)
        log_in(member, email)
        # Several requests, so that both of host B's workers have the plugin state in memory.
        assert all("My points" in member.get("/account").text for _ in range(4))
        owner = staff_on(a, "127.0.0.2")
        answer = owner.post_form("/admin/plugins", "/admin/plugins/points/disable", {})
        assert answer.status == 303
        assert all("My points" not in member.get("/account").text for _ in range(4))


def jobs_running(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(JobState.name).where(
            JobState.claimed_until.is_not(None))))


def wait_for_claims_to_end(app: Flask, job: str, timeout: float, what: str) -> None:
    """Wait until ``job`` is not claimed; on failure say which jobs are, with their runs."""
    try:
        wait_for(lambda: job not in jobs_running(app), timeout, what)
    except AssertionError as exc:
        with app.app_context():
            claims = db.session.execute(select(JobState.name, JobState.claimed_until).where(
                JobState.claimed_until.is_not(None))).all()
            runs = db.session.execute(select(JobRun.name, JobRun.started_at,
                                             JobRun.finished_at)
                                      .order_by(JobRun.id.desc()).limit(10)).all()
        raise AssertionError(f"{exc}; claimed at {utcnow()}: {claims}; last runs: {runs}") \
            from None


def earned_for(app: Flask, order_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(
            PointsEntry.order_id == order_id, PointsEntry.kind == "earn"))


def test_a_hung_worker_holding_a_delivery_does_not_stop_core_deliver_for_the_others(
        deployment):
    """A worker that hangs (SIGSTOP: a frozen host, a partition) inside a delivery keeps its
    transaction open and the delivery's row locked, for as long as the database keeps its
    session (hours). core:deliver on another host skips that delivery after a short wait and
    delivers the rest; once the hung worker is gone, its delivery is done, once."""
    app = deployment.app
    (x_email, x_id), (y_email, _) = create_accounts(app, 2)
    with contextlib.ExitStack() as running:
        host, _ = running.enter_context(deployment.hosts())
        staff = staff_on(host, "127.0.0.2")
        orders = []
        for email in (x_email, y_email):
            with app.app_context():
                token = shop_once(Visitor(host), email)
                orders.append(db.session.scalar(select(Order.id).where(
                    Order.public_token == token)))
        x_order, y_order = orders
        with account_locked(app, x_id):
            staff_action(staff, x_order, "mark-paid")
            # The first payment's deliveries are due for core:deliver already, but this
            # worker's scheduler does not run it (it just ran): the worker is told of them.
            untold_time_passes(app, deliver_job_ran=True)
            hung = running.enter_context(deployment.worker("worker-hung"))
            wait_for(lambda: waiting_on_points_account(app) and not jobs_running(app)
                     and queued(app) == 0, 30,
                     "the worker to wait inside the delivery of the first payment, and to "
                     "be done with the jobs its scheduler started")
            hung.stop()  # it hangs, its session open, the delivery's row locked
        staff_action(staff, y_order, "mark-paid")
        with app.app_context():
            queue.current().huey.flush()  # the second payment's telling is lost too
        untold_time_passes(app)

        running.enter_context(deployment.worker("worker-other"))
        wait_for(lambda: earned_for(app, y_order) == 1, 30,
                 "core:deliver on the other worker to deliver the second payment")
        assert earned_for(app, x_order) == 0  # still held by the hung worker

        hung.kill()  # its session ends, its transaction rolls back
        # Only core:deliver matters next: a job the killed worker's scheduler had just
        # claimed stays claimed until its claim runs out (CLAIM_SECONDS), as designed.
        wait_for_claims_to_end(app, "core:deliver", 30, "core:deliver's run to end")
        untold_time_passes(app)
        running.enter_context(deployment.worker("worker-next"))  # its scheduler looks at once
        wait_for(lambda: open_work(app) == (0, 0), 30, "every delivery done")
    assert earned_for(app, x_order) == 1 and earned_for(app, y_order) == 1
