"""Domain events: written in the transaction of the change, delivered by the worker after it
(never in a web request), once per consumer, in order per order, retried with growing pauses
and dead-lettered; plugins' own events through hooks.emit; the built-ins' events; the
failed reactions of an older shop carried over; the bank-transfer message.

Test plugins record what they did as rows of their own table, written in the delivery's
transaction: a failed delivery rolls its row back, as it would a real plugin's work.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    column,
    func,
    insert,
    inspect,
    select,
    table,
    update,
)
from sqlalchemy.exc import IntegrityError

from hooks import CheckoutRefused, Event, emit, hookimpl, session
from storefront.cli import main
from storefront.database import migrate
from storefront.events.delivery import OPEN, deliver, deliver_event
from storefront.events.models import DomainEvent, EventDelivery
from storefront.extensions import db
from storefront.jobs.models import JobState
from storefront.orders.models import Order
from storefront.timeutil import utcnow
from tests.conftest import Shop, app_factory
from tests.events_support import events_app, gold_member
from tests.points_support import balance, last_order_id, loyalty_app, member
from tests.support.forms import post_form
from tests.support.smtp import subjects
from tests.test_admin import place_guest_order, staff_client
from tests.test_concurrency import POOL, run_together
from tests.test_events import register
from tests.test_plugins import owner_client, place_and_pay
from tests.test_points import buy

SKU = "TEA-SEN-100"  # 14.00 + 4.90 shipping
TOTAL = "€18.90"
BANK = "Roastery Bank, IBAN ES91 2100 0418 4502 0005 1332, BIC CAIXESBBXXX"
RECEIVED = "We received your order"

JOURNAL = Table("test_journal", MetaData(),
                Column("id", Integer, primary_key=True),
                Column("plugin", String(32), nullable=False),
                Column("what", String(64), nullable=False),
                Column("ref", String(64), nullable=False))


# --- test plugins ---------------------------------------------------------------------------


class Journal:
    """Writes a journal row for each order it hears of. ``failing``: how many more calls of
    ``order.placed`` / ``order.paid`` fail (after the write, which the failure rolls back);
    ``pause``: seconds each call takes."""

    def __init__(self, name: str = "journal", *, failing: dict[str, int] | None = None,
                 pause: float = 0.0) -> None:
        self.name = name
        self.failing = dict(failing or {})
        self.pause = pause

    @hookimpl
    def shop_order_placed(self, order_id: int) -> None:
        self.write("order.placed", order_id)

    @hookimpl
    def shop_order_paid(self, order_id: int) -> None:
        self.write("order.paid", order_id)

    def write(self, what: str, order_id: int) -> None:
        session().execute(insert(JOURNAL).values(plugin=self.name, what=what, ref=str(order_id)))
        time.sleep(self.pause)
        if self.failing.get(what, 0) > 0:
            self.failing[what] -= 1
            raise RuntimeError(f"{self.name} could not file {what}")


class Stamps:
    """Gives stamps when an order is paid and publishes ``stamps.earned``."""

    name = "stamps"

    @hookimpl
    def shop_order_paid(self, order_id: int) -> None:
        self.award(order_id)

    def award(self, order_id: int, event_type: str = "stamps.earned") -> str:
        return emit(event_type, aggregate_type="order", aggregate_id=order_id,
                    payload={"order_id": order_id, "stamps": 2})


class Listener:
    """Keeps every event its ``shop_event`` receives."""

    name = "listener"

    def __init__(self) -> None:
        self.heard: list[Event] = []

    @hookimpl
    def shop_event(self, event: Event) -> None:
        self.heard.append(event)

    def of_type(self, event_type: str) -> list[Event]:
        return [event for event in self.heard if event.type == event_type]


class Gatekeeper:
    """Refuses every checkout while ``closed``."""

    name = "gatekeeper"
    closed = True

    @hookimpl
    def shop_order_reserve(self, order, customer) -> None:
        if self.closed:
            raise CheckoutRefused("The shop takes no orders today.")


# --- helpers --------------------------------------------------------------------------------


def shop_app(make_app, *plugins: object, **config) -> Flask:
    """A shop with these plugins, and the table of the journal."""
    app = make_app(EXTRA_PLUGINS=list(plugins), **config)
    with app.app_context():
        JOURNAL.create(db.engine, checkfirst=True)
    return app


def journal(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(JOURNAL.c.plugin, JOURNAL.c.what, JOURNAL.c.ref).order_by(JOURNAL.c.id))]


def _detached(app: Flask, query) -> list:
    with app.app_context():
        rows = db.session.scalars(query).all()
        db.session.expunge_all()
        return rows


def events_of(app: Flask, event_type: str) -> list[DomainEvent]:
    return _detached(app, select(DomainEvent).where(DomainEvent.type == event_type)
                     .order_by(DomainEvent.id))


def deliveries(app: Flask, consumer: str, event_type: str | None = None
               ) -> list[EventDelivery]:
    """The consumer's deliveries (of events of this type), oldest event first."""
    query = select(EventDelivery).join(DomainEvent).where(EventDelivery.consumer == consumer)
    if event_type:
        query = query.where(DomainEvent.type == event_type)
    return _detached(app, query.order_by(EventDelivery.event_id))


def time_passes(app: Flask, *delivery_ids: int) -> None:
    """As if the pauses were over: the open deliveries (only these, if given) are due, and
    so is the job that delivers them."""
    with app.app_context():
        due = update(EventDelivery).where(EventDelivery.status.in_(OPEN))
        if delivery_ids:
            due = due.where(EventDelivery.id.in_(delivery_ids))
        db.session.execute(due.values(next_attempt_at=utcnow() - timedelta(seconds=1)))
        db.session.execute(update(JobState).where(JobState.name == "core:deliver")
                           .values(last_success_at=None))
        db.session.commit()


def run_worker(app: Flask) -> str:
    """`storefront worker --until-idle`, as cron runs it."""
    result = app.test_cli_runner().invoke(main, ["worker", "--until-idle"])
    assert result.exit_code == 0, result.output
    return result.output


def mark_paid_by(staff, order_id: int) -> None:
    page = f"/admin/orders/{order_id}"
    answer = post_form(staff, page, f"{page}/mark-paid", {})
    assert "marked as paid" in staff.get(answer.headers["Location"]).get_data(as_text=True)


def press(client, delivery_id: int, action: str, page: str = "/admin/plugins"):
    """A button of the Failed deliveries table (its form, posted from ``page``)."""
    return post_form(client, page, f"/admin/plugins/failures/{delivery_id}/{action}", {},
                     follow_redirects=True)


def order_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Order.id)))


# --- the event is written with the change ---------------------------------------------------


def test_an_order_and_its_placed_event_are_written_together_or_not_at_all(make_app):
    gatekeeper, listener = Gatekeeper(), Listener()
    app = shop_app(make_app, gatekeeper, listener)
    shop, client = Shop(app), app.test_client()
    shop.add(client, SKU)
    refused = shop.checkout(client)
    assert "The shop takes no orders today." in client.get(
        refused.headers["Location"]).get_data(as_text=True)
    assert order_count(app) == 0 and events_of(app, "order.placed") == []

    gatekeeper.closed = False
    assert shop.checkout(client).headers["Location"].startswith("/orders/")
    order_id = last_order_id(app)
    [event] = events_of(app, "order.placed")
    assert (event.payload, event.aggregate_type, event.aggregate_id, event.source) == (
        {"order_id": order_id}, "order", str(order_id), "shop")
    # The id plugins receive is the one stored: stable across redeliveries.
    assert [heard.id for heard in listener.of_type("order.placed")] == [event.uid]


# --- the worker, not the request ------------------------------------------------------------


def test_requests_only_queue_the_work_and_the_worker_does_it_once(make_app, smtp):
    inbox, port, _ = smtp
    app = loyalty_app(make_app, WORKER_QUEUE="memory", MAIL_BACKEND="smtp",
                      SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    shop, client = Shop(app), app.test_client()
    user_id = shop.create_user("mia@example.com")  # registering would wait for the worker
    shop.login(client, "mia@example.com", "correct horse battery")
    shop.add(client, "EQP-GRD-01")  # 69.00, free shipping: 69 points
    shop.checkout(client)
    mark_paid_by(staff_client(app, shop, "staff"), last_order_id(app))
    assert balance(app, user_id) == (0, 0, 0) and inbox.messages == []
    waiting = deliveries(app, "points") + deliveries(app, "shop")
    assert waiting and {d.status for d in waiting} == {"pending"}

    assert "tasks done" in run_worker(app)
    assert balance(app, user_id) == (0, 69, 0)
    assert {d.status for d in deliveries(app, "points") + deliveries(app, "shop")} == {"done"}
    assert len(events_of(app, "points.earned")) == 1
    paid_mails = [title for title in subjects(inbox) if title.endswith("is paid")]
    assert paid_mails == ["Your order SF-000001 is paid"]
    sent = len(inbox.messages)

    run_worker(app)
    assert balance(app, user_id) == (0, 69, 0) and len(inbox.messages) == sent


# --- once, in order, retried, dead-lettered -------------------------------------------------


def test_a_redelivery_changes_nothing(make_app):
    app = shop_app(make_app, Journal())
    order_id = place_and_pay(app, Shop(app))
    filed = [("journal", "order.placed", str(order_id)), ("journal", "order.paid", str(order_id))]
    assert journal(app) == filed
    [paid] = events_of(app, "order.paid")
    done = next(d for d in deliveries(app, "journal") if d.event_id == paid.id)
    with app.app_context():
        deliver_event(paid.id)  # the worker told twice
        assert deliver(done.id)  # and a second worker on the same delivery: done already
    assert journal(app) == filed
    with app.app_context():
        db.session.add(EventDelivery(event_id=paid.id, consumer="journal"))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_an_event_waits_for_the_earlier_event_of_its_order(make_app):
    app = shop_app(make_app, Journal(failing={"order.placed": 1}))
    shop = Shop(app)
    order_id = place_guest_order(app, shop, SKU)
    mark_paid_by(staff_client(app, shop, "staff"), order_id)
    placed, paid = deliveries(app, "journal")
    assert (placed.status, paid.status) == ("failed", "pending") and journal(app) == []

    time_passes(app, paid.id)  # the paid event is due, the placed one still pauses
    run_worker(app)
    assert [d.status for d in deliveries(app, "journal")] == ["failed", "pending"]
    assert journal(app) == []

    time_passes(app)
    run_worker(app)
    assert journal(app) == [("journal", "order.placed", str(order_id)),
                            ("journal", "order.paid", str(order_id))]
    assert [d.status for d in deliveries(app, "journal")] == ["done", "done"]


def test_a_failing_reaction_is_retried_after_growing_pauses_then_dead(make_app):
    app = shop_app(make_app, Journal(failing={"order.paid": 99}), EVENT_MAX_ATTEMPTS=3)
    order_id = place_and_pay(app, Shop(app))
    for attempts, pause in ((1, 30), (2, 60)):  # EVENT_RETRY_SECONDS, then twice that
        [delivery] = deliveries(app, "journal", "order.paid")
        assert (delivery.status, delivery.attempts) == ("failed", attempts)
        wait = delivery.next_attempt_at - utcnow()
        assert timedelta(seconds=pause - 10) < wait <= timedelta(seconds=pause)
        time_passes(app)
        run_worker(app)
    [dead] = deliveries(app, "journal", "order.paid")
    assert (dead.status, dead.attempts) == ("dead", 3)
    assert dead.last_error == "RuntimeError: journal could not file order.paid"
    time_passes(app)
    run_worker(app)
    assert deliveries(app, "journal", "order.paid")[0].attempts == 3  # it waits for staff
    assert journal(app) == [("journal", "order.placed", str(order_id))]  # paid: rolled back


def test_the_owner_retries_or_dismisses_a_dead_delivery_and_no_one_else_may(make_app):
    plugin = Journal(failing={"order.paid": 99})
    app = shop_app(make_app, plugin, EVENT_MAX_ATTEMPTS=1)
    shop = Shop(app)
    first, second = place_and_pay(app, shop), place_and_pay(app, shop)
    retried, dismissed = deliveries(app, "journal", "order.paid")
    owner = owner_client(app, shop)
    listing = owner.get("/admin/plugins").get_data(as_text=True)
    assert "Failed deliveries" in listing and listing.count("<td>dead</td>") == 2
    assert f"order.paid (order {first})" in listing and f"order.paid (order {second})" in listing
    assert "RuntimeError: journal could not file order.paid" in listing

    for outsider in (staff_client(app, shop, "staff"), staff_client(app, shop, "customer")):
        for action in ("retry", "dismiss"):
            assert press(outsider, retried.id, action, "/account/preferences").status_code == 403
    assert [d.status for d in deliveries(app, "journal", "order.paid")] == ["dead", "dead"]

    assert "failed again" in press(owner, retried.id, "retry").get_data(as_text=True)
    plugin.failing.clear()  # the plugin's trouble is fixed
    assert "went through this time" in press(owner, retried.id, "retry").get_data(as_text=True)
    assert "Dismissed" in press(owner, dismissed.id, "dismiss").get_data(as_text=True)
    assert [d.status for d in deliveries(app, "journal", "order.paid")] == ["done", "dismissed"]
    assert [row for row in journal(app) if row[1] == "order.paid"] == [
        ("journal", "order.paid", str(first))]
    assert "journal could not file" not in owner.get("/admin/plugins").get_data(as_text=True)


def test_retrying_an_event_that_waits_for_an_earlier_one_says_so(make_app):
    app = shop_app(make_app, Journal(failing={"order.placed": 99}))
    shop = Shop(app)
    order_id = place_guest_order(app, shop, SKU)
    mark_paid_by(staff_client(app, shop, "staff"), order_id)
    placed, paid = deliveries(app, "journal")
    with app.app_context():  # as after an earlier failure of its own
        db.session.execute(update(EventDelivery).where(EventDelivery.id == paid.id)
                           .values(status="failed", attempts=1, last_error="old trouble"))
        db.session.commit()
    answer = press(owner_client(app, shop), paid.id, "retry").get_data(as_text=True)
    assert f"waits for an earlier event of order {order_id}" in answer
    assert "failed again" not in answer and journal(app) == []


# --- plugins' own events --------------------------------------------------------------------


def test_an_event_a_plugin_emits_in_a_reaction_reaches_the_other_plugins(make_app):
    listener = Listener()
    app = shop_app(make_app, Stamps(), listener)
    order_id = place_and_pay(app, Shop(app))
    [stored] = events_of(app, "stamps.earned")
    [heard] = listener.of_type("stamps.earned")
    assert (heard.id, heard.type, heard.source, heard.payload) == (
        stored.uid, "stamps.earned", "stamps", {"order_id": order_id, "stamps": 2})
    assert (heard.aggregate_type, heard.aggregate_id) == ("order", str(order_id))


def test_emit_is_for_a_plugin_and_its_own_event_types_and_rolls_back(make_app):
    stamps, listener = Stamps(), Listener()
    app = shop_app(make_app, stamps, listener)
    with app.app_context():
        with pytest.raises(ValueError, match="start with 'stamps.'"):
            stamps.award(1, event_type="points.earned")
        with pytest.raises(RuntimeError, match="for plugins"):
            emit("stamps.earned", aggregate_type="order", aggregate_id=1, payload={})
        stamps.award(1)
        db.session.rollback()
        db.session.commit()
    assert events_of(app, "stamps.earned") == [] and listener.heard == []


def test_a_savepoint_given_up_after_an_emit_does_not_hold_the_event_back(make_app):
    stamps, listener = Stamps(), Listener()
    app = shop_app(make_app, stamps, listener)
    with app.app_context():
        uid = stamps.award(1)
        db.session.begin_nested().rollback()  # e.g. an insert that turned out a duplicate
        db.session.commit()
    assert [event.id for event in listener.of_type("stamps.earned")] == [uid]


# --- the built-in plugins' events -----------------------------------------------------------


@pytest.fixture
def loyalty(make_app, tmp_path) -> Flask:
    """Points, tiers (Gold from 100.00) and events."""
    return events_app(make_app, tmp_path)


def test_a_paid_order_of_a_member_publishes_points_earned(loyalty):
    shop = Shop(loyalty)
    client, user_id = member(loyalty, shop)
    order_id = buy(loyalty, shop, client)  # 69.00: 69 points
    [earned] = events_of(loyalty, "points.earned")
    assert (earned.source, earned.aggregate_id) == ("points", str(user_id))
    assert {key: earned.payload[key] for key in ("user_id", "points", "source", "order_id")} \
        == {"user_id": user_id, "points": 69, "source": "earn", "order_id": order_id}


def test_a_tier_upgrade_publishes_tiers_changed(loyalty):
    _, user_id = gold_member(loyalty, Shop(loyalty))
    [changed] = events_of(loyalty, "tiers.changed")
    assert changed.payload == {"user_id": user_id, "old": "member", "new": "gold"}
    assert changed.source == "tiers"


def test_a_free_event_registration_publishes_registration_confirmed(loyalty):
    client, user_id = member(loyalty, Shop(loyalty))
    register(client, "cupping")
    [confirmed] = events_of(loyalty, "events.registration_confirmed")
    assert confirmed.payload == {"user_id": user_id, "event": "cupping", "seats": 1,
                                 "order_id": None}


# --- an older shop's failed reactions -------------------------------------------------------


FAILED_REACTION = table("failed_reaction", column("plugin"), column("hook"),
                        column("arguments", JSON), column("attempts"), column("last_error"),
                        column("status"), column("created_at", DateTime))


def test_failed_reactions_of_an_older_shop_become_failed_deliveries(empty_database, tmp_path):
    with app_factory(empty_database, tmp_path / "instance") as make:
        app = make()
        migrate.upgrade(app, "0009")
        with app.app_context():
            db.session.execute(insert(FAILED_REACTION), [
                {"plugin": "flaky", "hook": "shop_order_paid", "arguments": {"order_id": 7},
                 "attempts": 4, "last_error": "RuntimeError: mail server down",
                 "status": "pending", "created_at": datetime(2026, 11, 2, 9, 30)},
                {"plugin": "flaky", "hook": "shop_customer_registered",
                 "arguments": {"user_id": 3}, "attempts": 1, "last_error": "long ago",
                 "status": "dismissed", "created_at": datetime(2026, 10, 1, 8, 0)}])
            db.session.commit()
        migrate.upgrade(app)
        with app.app_context():
            assert not inspect(db.engine).has_table("failed_reaction")
        listing = owner_client(app, Shop(app)).get("/admin/plugins").get_data(as_text=True)
    assert "order.paid (order 7)" in listing and "RuntimeError: mail server down" in listing
    assert "<td>flaky</td>" in listing and "Nov 2, 2026, 9:30" in listing
    assert "<td>4</td>" in listing and "next try" in listing  # its attempts kept; retried
    assert "customer.registered" not in listing  # a dismissed one is history


# --- two workers at once --------------------------------------------------------------------


def _deliver_in(app: Flask, delivery_id: int) -> bool:
    with app.app_context():
        return deliver(delivery_id)


def test_two_workers_with_one_delivery_at_once_run_it_once(make_app, backend):
    if backend != "postgresql":
        pytest.skip("SQLite has one writer at a time; the race needs PostgreSQL's row locks")
    app = shop_app(make_app, Journal(pause=0.3), WORKER_QUEUE="memory", **POOL)
    order_id = place_guest_order(app, Shop(app), SKU)
    [placed] = deliveries(app, "journal")
    assert run_together([lambda: _deliver_in(app, placed.id)] * 2) == [True, True]
    assert journal(app) == [("journal", "order.placed", str(order_id))]
    [done] = deliveries(app, "journal")
    assert (done.status, done.attempts) == ("done", 1)


# --- the shop's own messages ----------------------------------------------------------------


def test_a_bank_transfer_order_shows_and_mails_the_bank_details_a_card_order_does_not(
        make_app):
    shop = Shop(make_app(SHOP_BANK_DETAILS=BANK))
    client = shop.app.test_client()
    shop.add(client, SKU)
    order_page = client.get(shop.checkout(client).headers["Location"]).get_data(as_text=True)
    assert BANK in order_page and TOTAL in order_page
    [received] = [mail for mail in shop.mails() if RECEIVED in mail]
    assert "Subject: We received your order SF-000001" in received
    assert f"Please transfer {TOTAL} with the reference SF-000001" in received
    assert BANK in received

    shop.app = make_app(SHOP_BANK_DETAILS=BANK, PAYMENT_PROVIDER="stripe")
    card = place_guest_order(shop.app, shop, SKU)
    with shop.app.app_context():
        assert db.session.get(Order, card).payment_provider == "stripe"
    assert len([mail for mail in shop.mails() if RECEIVED in mail]) == 1


def test_the_console_mail_backend_prints_the_text_itself(make_app, capsys):
    app = make_app(SHOP_BANK_DETAILS=BANK, MAIL_BACKEND="console")
    place_guest_order(app, Shop(app), SKU)
    printed = capsys.readouterr().out
    assert "Subject: We received your order SF-000001" in printed
    assert f"Please transfer {TOTAL} with the reference SF-000001" in printed
    assert "until your payment arrives." in printed  # a line longer than 78 characters
    assert "=E2=82=AC" not in printed and "Content-Transfer-Encoding" not in printed


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_mistyped_queue_setting_stops_the_shop_from_starting(make_app):
    with pytest.raises(ValueError, match="WORKER_QUEUE must be sqlite:///PATH"):
        make_app(WORKER_QUEUE="rabbitmq://127.0.0.1")
