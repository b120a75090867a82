"""The plugin platform: enablement, settings, failure policy, jobs, access."""

import logging

import pytest
from sqlalchemy import func, select, update

from hooks import hookimpl, session
from storefront.catalog.models import Product
from storefront.cli import main
from storefront.events.models import EventDelivery
from storefront.extensions import db
from storefront.jobs.models import JobRun
from storefront.orders.models import Order, OrderStatus
from storefront.orders.service import mark_paid
from tests.support import sample_plugins as sp
from tests.support.forms import post_form

PASSWORD = "correct horse battery"


def cli(app, *args, **kwargs):
    return app.test_cli_runner().invoke(main, list(args), **kwargs)


@pytest.fixture
def discounter_app(make_app):
    sp.Discounter.ticks = 0
    return make_app(EXTRA_PLUGINS=[sp.Discounter()])


def member(app, shop, email="mia@example.com"):
    client = app.test_client()
    shop.app = app
    shop.register(client, email=email)
    return client


def test_enabled_plugin_shows_everywhere_and_disabled_nowhere(discounter_app, shop):
    app = discounter_app
    client = member(app, shop)
    shop.add(client, "COF-ETH-250")

    def visible():
        cart = client.get("/cart").get_data(as_text=True)
        return {
            "adjustment": "Discounter deal" in cart,
            "nav": 'href="/plugins/discounter/hello"' in cart,
            "asset": "/plugins/discounter/static/sample.css" in cart,
            "account": "Discounter panel" in client.get("/account").get_data(as_text=True),
            "checkout": "Discounter at checkout" in client.get("/checkout").get_data(True),
            "route": client.get("/plugins/discounter/hello").status_code == 200,
            "static": client.get("/plugins/discounter/static/sample.css").status_code == 200,
            "command": cli(app, "discounter-hello").exit_code == 0,
        }

    assert all(visible().values()), visible()
    result = cli(app, "plugins", "disable", "discounter")
    assert result.exit_code == 0 and "discounter disabled" in result.output
    assert not any(visible().values()), visible()
    assert "plugin discounter is disabled" in cli(app, "discounter-hello").output
    assert cli(app, "jobs", "run", "--force").exit_code == 0
    assert sp.Discounter.ticks == 0  # its job did not run
    cli(app, "plugins", "enable", "discounter")
    assert all(visible().values())


def test_plugins_list_shows_state_version_and_hooks(discounter_app):
    out = cli(discounter_app, "plugins", "list").output
    assert "enabled  discounter" in out and "shop_cart_adjustments" in out
    assert "Gives a configurable discount" in out


def test_settings_are_validated_and_errors_name_the_field(discounter_app, shop):
    app = discounter_app
    for assignment, message in [("percent=80", "discounter.percent: must be at most 50"),
                                ("percent=abc", "discounter.percent: must be a number"),
                                ("mode=some", "discounter.mode: must be one of all, members"),
                                ("nope=1", "discounter.nope: is not a setting"),
                                ("percent", "write KEY=VALUE")]:
        result = cli(app, "plugins", "settings", "discounter", assignment)
        assert result.exit_code != 0 and message in result.output, result.output
    ok = cli(app, "plugins", "settings", "discounter", "percent=20", "api_key=s3cr3t-value")
    assert ok.exit_code == 0 and "percent = 20" in ok.output
    assert "s3cr3t-value" not in ok.output and "api_key = ••••••••" in ok.output
    client = app.test_client()
    shop.app = app
    shop.add(client, "COF-ETH-250")  # 12.50 + 4.90 shipping; 20% of 12.50 = 2.50
    assert "−€2.50" in client.get("/cart").get_data(as_text=True)


def test_plugin_with_invalid_settings_cannot_be_enabled(make_app):
    app = make_app(EXTRA_PLUGINS=[sp.NeedsKey()])
    cli(app, "plugins", "disable", "needskey")
    result = cli(app, "plugins", "enable", "needskey")
    assert result.exit_code != 0 and "needskey.token: is required" in result.output
    cli(app, "plugins", "settings", "needskey", "token=abc")
    assert cli(app, "plugins", "enable", "needskey").exit_code == 0


def test_unknown_plugin_is_a_clear_error(discounter_app):
    result = cli(discounter_app, "plugins", "enable", "nosuch")
    assert result.exit_code != 0 and "no plugin named 'nosuch'" in result.output


def owner_client(app, shop):
    shop.app = app
    shop.create_user("boss@example.com", role="owner")
    client = app.test_client()
    shop.login(client, "boss@example.com", PASSWORD)
    return client


def test_admin_plugin_pages(discounter_app, shop):
    app = discounter_app
    cli(app, "plugins", "settings", "discounter", "api_key=s3cr3t-value")
    owner = owner_client(app, shop)
    listing = owner.get("/admin/plugins").get_data(as_text=True)
    assert "discounter" in listing and "shop_register_jobs" in listing and "Enabled" in listing
    page = owner.get("/admin/plugins/discounter").get_data(as_text=True)
    assert "s3cr3t-value" not in page and "••••••••" in page and "Discount in percent." in page
    bad = post_form(owner, "/admin/plugins/discounter", "/admin/plugins/discounter/settings",
                    {"percent": "99", "api_key": "••••••••", "mode": "all"})
    assert bad.status_code == 400 and "must be at most 50" in bad.get_data(as_text=True)
    good = post_form(owner, "/admin/plugins/discounter", "/admin/plugins/discounter/settings",
                     {"percent": "15", "api_key": "••••••••", "mode": "members", "loud": "true"})
    assert good.status_code == 303
    out = cli(app, "plugins", "settings", "discounter").output
    assert "percent = 15" in out and "mode = members" in out and "loud = true" in out
    assert "api_key = ••••••••" in out  # the mask kept the stored secret
    post_form(owner, "/admin/plugins", "/admin/plugins/discounter/disable", {})
    assert "disabled discounter" in cli(app, "plugins", "list").output
    customer = app.test_client()
    shop.register(customer, email="c@example.com")
    assert customer.get("/admin/plugins").status_code == 403


def place_and_pay(app, shop) -> int:
    client = app.test_client()
    shop.app = app
    shop.add(client, "TEA-SEN-100")
    shop.checkout(client)
    with app.app_context():
        order_id = db.session.scalar(select(Order.id).order_by(Order.id.desc()))
        assert mark_paid(order_id)
    return order_id


def _deliveries(app, consumer: str) -> list[EventDelivery]:
    with app.app_context():
        rows = db.session.scalars(select(EventDelivery).where(
            EventDelivery.consumer == consumer).order_by(EventDelivery.id)).all()
        db.session.expunge_all()
        return rows


def test_reaction_failure_keeps_the_order_and_is_retried_by_a_job(make_app, shop, caplog):
    sp.FlakyReactor.failures_left, sp.FlakyReactor.calls, sp.Recorder.paid = 2, [], []
    app = make_app(EXTRA_PLUGINS=[sp.FlakyReactor(), sp.Recorder()], EVENT_RETRY_SECONDS=0)
    with caplog.at_level(logging.ERROR, logger="storefront.events"):
        order_id = place_and_pay(app, shop)
    assert "order.paid) failed for flaky" in caplog.text
    assert sp.Recorder.paid == [order_id]  # the faulty plugin did not silence the others
    with app.app_context():
        assert db.session.get(Order, order_id).status == OrderStatus.PAID
    [failure] = _deliveries(app, "flaky")
    assert (failure.status, failure.attempts) == ("failed", 1)
    assert "mail server down" in failure.last_error
    assert cli(app, "jobs", "run").exit_code == 0  # the delivery job tries again: fails
    assert _deliveries(app, "flaky")[0].attempts == 2
    assert cli(app, "jobs", "run", "--force").exit_code == 0
    assert sp.FlakyReactor.calls == [order_id] and sp.Recorder.paid == [order_id]
    [done] = _deliveries(app, "flaky")
    assert (done.status, done.attempts) == ("done", 3)


class PlacedOnce:
    """Writes, then raises in shop_order_placed the first time; succeeds after."""

    name = "placed_once"

    def __init__(self):
        self.failures_left, self.calls = 1, []

    @hookimpl
    def shop_order_placed(self, order_id):
        if self.failures_left:
            self.failures_left -= 1
            session().execute(update(Product).where(Product.sku == "TEA-SEN-100")
                              .values(stock=0))
            raise RuntimeError("CRM down")
        self.calls.append(order_id)


def test_a_failed_order_placed_reaction_is_rolled_back_stored_and_retried(make_app, shop):
    plugin = PlacedOnce()
    app = make_app(EXTRA_PLUGINS=[plugin], EVENT_RETRY_SECONDS=0)
    shop.app, client = app, app.test_client()
    stock = shop.product("TEA-SEN-100").stock
    shop.add(client, "TEA-SEN-100")
    assert shop.checkout(client).status_code == 303  # the order stands
    assert shop.product("TEA-SEN-100").stock == stock - 1  # the plugin's write is undone
    with app.app_context():
        order_id = db.session.scalar(select(Order.id))
    [failure] = _deliveries(app, "placed_once")
    assert (failure.status, failure.attempts) == ("failed", 1) and "CRM down" in failure.last_error
    assert cli(app, "jobs", "run", "--force").exit_code == 0
    assert plugin.calls == [order_id]


def test_a_delivery_that_keeps_failing_goes_to_the_dead_letter_list(make_app, shop):
    sp.FlakyReactor.failures_left, sp.FlakyReactor.calls = 99, []
    app = make_app(EXTRA_PLUGINS=[sp.FlakyReactor()], EVENT_RETRY_SECONDS=0,
                   EVENT_MAX_ATTEMPTS=2)
    order_id = place_and_pay(app, shop)
    cli(app, "jobs", "run")
    [dead] = _deliveries(app, "flaky")
    assert (dead.status, dead.attempts) == ("dead", 2)
    cli(app, "jobs", "run", "--force")  # a dead delivery waits for staff
    assert _deliveries(app, "flaky")[0].attempts == 2
    owner = owner_client(app, shop)
    page = owner.get("/admin/plugins").get_data(as_text=True)
    assert "mail server down" in page and f"order.paid (order {order_id})" in page
    sp.FlakyReactor.failures_left = 0  # the mail server is back
    answer = post_form(owner, "/admin/plugins", f"/admin/plugins/failures/{dead.id}/retry", {})
    assert "went through this time" in owner.get(answer.headers["Location"]).get_data(True)
    assert sp.FlakyReactor.calls == [order_id]
    assert _deliveries(app, "flaky")[0].status == "done"


def test_owner_can_dismiss_a_failed_delivery(make_app, shop):
    sp.FlakyReactor.failures_left, sp.FlakyReactor.calls = 99, []
    app = make_app(EXTRA_PLUGINS=[sp.FlakyReactor()], EVENT_RETRY_SECONDS=0)
    place_and_pay(app, shop)
    owner = owner_client(app, shop)
    [failure] = _deliveries(app, "flaky")
    post_form(owner, "/admin/plugins", f"/admin/plugins/failures/{failure.id}/dismiss", {})
    cli(app, "jobs", "run", "--force")
    [dismissed] = _deliveries(app, "flaky")
    assert (dismissed.status, dismissed.attempts) == ("dismissed", 1)
    assert "mail server down" not in owner.get("/admin/plugins").get_data(as_text=True)


@pytest.mark.parametrize("plugin, message", [
    (sp.BrokenValidator(), "A checkout check failed"),
    (sp.Objector(), "Gift cards cannot be shipped abroad."),
])
def test_checkout_hooks_fail_closed(make_app, shop, plugin, message):
    app = make_app(EXTRA_PLUGINS=[plugin])
    client = app.test_client()
    shop.app = app
    shop.add(client, "TEA-SEN-100")
    response = shop.checkout(client)
    assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 0
    assert shop.product("TEA-SEN-100").stock == 30


def test_permission_veto_rule_and_forbidden_page(make_app, shop):
    app = make_app(EXTRA_PLUGINS=[sp.Voter(), sp.AlwaysAllow()])
    shop.app = app
    guest = app.test_client()
    assert guest.get("/plugins/voter/vip").status_code == 200  # AlwaysAllow says yes
    cli(app, "plugins", "disable", "allower")
    denied = guest.get("/plugins/voter/vip")
    assert denied.status_code == 403
    assert "Join the club to enter the VIP lounge." in denied.get_data(as_text=True)
    assert member(app, shop).get("/plugins/voter/vip").status_code == 200
    cli(app, "plugins", "enable", "allower")
    banned = member(app, shop, "banned@example.com")
    assert banned.get("/plugins/voter/vip").status_code == 403  # a veto beats any allow
    crashed = member(app, shop, "crash@example.com")
    assert crashed.get("/plugins/voter/vip").status_code == 403  # a crash denies


def test_jobs_run_records_runs_and_retries_failures(make_app):
    sp.Discounter.ticks = 0
    app = make_app(EXTRA_PLUGINS=[sp.Discounter(), sp.FailingJob()])
    first = cli(app, "jobs", "run")
    assert first.exit_code == 1
    assert "discounter:tick: ok" in first.output
    assert "failingjob:explode: FAILED: RuntimeError: job exploded" in first.output
    assert "core:deliver: ok" in first.output
    second = cli(app, "jobs", "run")
    assert "failingjob:explode" in second.output and "discounter:tick" not in second.output
    assert sp.Discounter.ticks == 1
    with app.app_context():
        runs = db.session.execute(select(JobRun.name, JobRun.ok).order_by(JobRun.id)).all()
    assert [tuple(r) for r in runs].count(("failingjob:explode", False)) == 2
    listing = cli(app, "jobs", "list").output
    assert "discounter:tick: every 3600s, last success 20" in listing


def test_a_job_running_longer_than_its_claim_keeps_it_while_it_runs(make_app, monkeypatch):
    """The claim is renewed while the run goes on: a second worker trying the job past the
    first claim's end is refused, and the claim is freed when the run ends."""
    import time

    from hooks import Job
    from storefront import jobs
    from storefront.jobs.models import JobState

    monkeypatch.setattr(jobs, "CLAIM_SECONDS", 1)
    monkeypatch.setattr(jobs, "RENEW_SECONDS", 0.1)
    runs, second_worker = [], []

    class Slow:
        name = "slow"

        @hookimpl
        def shop_register_jobs(self):
            return [Job("crawl", self.crawl, every_seconds=3600)]

        def crawl(self):
            runs.append(1)
            if len(runs) > 1:
                return  # a second run while the first goes on (what must not happen)
            time.sleep(1.5)  # longer than a claim lasts unrenewed
            with app.app_context():  # another worker, as its own app context
                second_worker.append(jobs.run_key("slow:crawl"))

    app = make_app(EXTRA_PLUGINS=[Slow()])
    with app.app_context():
        first = jobs.run_key("slow:crawl")
        state = db.session.get(JobState, "slow:crawl")
        assert first.ok and second_worker == [None] and runs == [1]
        assert state.claimed_until is None and state.last_success_at == first.finished_at


def test_plugin_tables_come_from_its_own_migration_branch(make_app):
    from sqlalchemy import inspect, text

    from storefront.database import migrate

    app = make_app(EXTRA_PLUGINS=[sp.Notes()])
    with app.app_context():
        assert "notes_note" not in inspect(db.engine).get_table_names()
        before = set(db.session.scalars(text("SELECT version_num FROM alembic_version")))
    migrate.upgrade(app)  # an existing shop with data: the core is already at head
    migrate.upgrade(app)  # and again: nothing to do
    with app.app_context():
        assert "notes_note" in inspect(db.engine).get_table_names()
        db.session.execute(text("INSERT INTO notes_note (product_id, text) VALUES (1, 'hi')"))
        db.session.commit()
        assert db.session.scalar(text("SELECT count(*) FROM product")) == 12
        heads = db.session.scalars(text("SELECT version_num FROM alembic_version")).all()
        # This plugin's branch is added; the marks of the built-in plugins, which this app
        # does not load, are kept, so that reinstalling them continues where they left off.
        assert set(heads) == before | {"n001"} and {"p004", "t001"} <= before


class SeatKeeper:
    """Reserves one 'seat' per order in its own little counter; refuses when none is left."""

    name = "seatkeeper"
    seats = 1
    seen: list = []

    from hooks import hookimpl

    @hookimpl
    def shop_order_reserve(self, order, customer):
        from hooks import CheckoutRefused

        type(self).seen.append((order.number, order.total, [ln.sku for ln in order.lines]))
        if type(self).seats < 1:
            raise CheckoutRefused("The last seat was just taken.")
        type(self).seats -= 1


class BrokenReserver:
    name = "brokenreserver"

    from hooks import hookimpl

    @hookimpl
    def shop_order_reserve(self, order, customer):
        raise RuntimeError("database of seats is down")


class RefusedWriter:
    """Its account panel writes a row the database refuses, as a plugin does that finds
    SQLite's write lock held by a long job: the flush fails inside the page."""
    name = "refusedwriter"

    from hooks import hookimpl

    @hookimpl
    def shop_account_panels(self, customer):
        from storefront.accounts.models import User

        session().add(User(email=None, name="nobody", password_hash="x"))
        session().flush()


def test_a_plugin_whose_write_fails_leaves_its_panel_out_not_the_account_page(make_app, shop,
                                                                               caplog):
    app = make_app(EXTRA_PLUGINS=[RefusedWriter()])
    client = member(app, shop)
    with caplog.at_level(logging.ERROR, logger="storefront.plugins"):
        page = client.get("/account")
    assert page.status_code == 200, page.status_code
    assert "<h1>Hello, Ana</h1>" in page.get_data(as_text=True)
    assert "plugin refusedwriter failed in shop_account_panels; left out" in caplog.text
    assert client.get("/cart").status_code == 200  # the next request is not touched either


class LockedOutWriter:
    """Its account panel changes the member's row: a write that needs SQLite's write lock."""
    name = "lockedoutwriter"

    from hooks import hookimpl

    @hookimpl
    def shop_account_panels(self, customer):
        from storefront.accounts.models import User

        user = session().get(User, customer.id)
        user.name = f"{user.name}!"
        session().flush()
        return []


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # one lock for the database
def test_a_page_whose_plugin_waits_past_sqlites_busy_timeout_shows_without_it(
        make_app, shop, database_url, caplog):
    """As on the demo shop while a job of the worker held the write lock: the account page's
    write waits SQLITE_BUSY_TIMEOUT_MS, fails, and the page shows without that plugin."""
    import sqlite3

    app = make_app(EXTRA_PLUGINS=[LockedOutWriter()], SQLITE_BUSY_TIMEOUT_MS=200)
    client = member(app, shop)
    holder = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process holds the one write lock
    try:
        with caplog.at_level(logging.ERROR, logger="storefront.plugins"):
            page = client.get("/account")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert page.status_code == 200, page.status_code
    assert "<h1>Hello, Ana</h1>" in page.get_data(as_text=True)
    assert "plugin lockedoutwriter failed in shop_account_panels; left out" in caplog.text
    assert "database is locked" in caplog.text
    assert client.get("/account").status_code == 200


def test_order_reserve_runs_inside_placement_and_can_refuse(make_app, shop):
    SeatKeeper.seats, SeatKeeper.seen = 1, []
    app = make_app(EXTRA_PLUGINS=[SeatKeeper()])
    shop.app = app
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        shop.add(client, "TEA-SEN-100")
    assert shop.checkout(first).headers["Location"].startswith("/orders/")
    refused = shop.checkout(second)
    assert "The last seat was just taken." in second.get(refused.headers["Location"]).get_data(
        as_text=True)
    assert SeatKeeper.seen[0] == ("SF-000001", 1890, ["TEA-SEN-100"])
    with app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 1
    assert shop.product("TEA-SEN-100").stock == 29  # the refused order took nothing


def test_a_crashing_reservation_refuses_the_order(make_app, shop):
    app = make_app(EXTRA_PLUGINS=[BrokenReserver()])
    shop.app = app
    client = app.test_client()
    shop.add(client, "TEA-SEN-100")
    response = shop.checkout(client)
    assert "could not reserve" in client.get(response.headers["Location"]).get_data(True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Order.id))) == 0
    assert shop.product("TEA-SEN-100").stock == 30


class Public:
    """Asks for its own top-level address, /<name>, instead of /plugins/<name>."""

    from hooks import hookimpl

    def __init__(self, name):
        self.name = name

    @hookimpl
    def shop_register_blueprints(self):
        from flask import Blueprint

        bp = Blueprint(f"{self.name}_pages", __name__, url_prefix=f"/{self.name}")
        bp.add_url_rule("/", "index", lambda: f"public {self.name}")
        other = Blueprint(f"{self.name}_other", __name__, url_prefix="/elsewhere")
        other.add_url_rule("/", "index", lambda: "not public")
        return [bp, other]


def test_a_blueprint_may_ask_for_its_plugin_name_as_a_public_prefix(make_app):
    app = make_app(EXTRA_PLUGINS=[Public("gazette")])
    client = app.test_client()
    assert client.get("/gazette/").get_data(as_text=True) == "public gazette"
    assert client.get("/plugins/gazette/").get_data(as_text=True) == "not public"
    assert client.get("/elsewhere/").status_code == 404  # only its own name is honoured
    assert cli(app, "plugins", "disable", "gazette").exit_code == 0
    assert client.get("/gazette/").status_code == 404
    with pytest.raises(RuntimeError, match="cannot be mounted at /cart"):
        make_app(EXTRA_PLUGINS=[Public("cart")])  # the core's /cart stays the core's
