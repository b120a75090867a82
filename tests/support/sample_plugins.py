"""Plugins written the way a third party would, for the platform tests."""

from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path

import click
from flask import Blueprint
from sqlalchemy import text

from hooks import (
    Adjustment,
    Asset,
    FieldType,
    Job,
    MessageKind,
    NavLink,
    Panel,
    SettingField,
    can,
    current_customer,
    forbidden,
    hookimpl,
    notify,
    plugin_settings,
    session,
)

STATIC = str(Path(__file__).parent / "sample_static")


class Discounter:
    """Gives a configurable discount and shows up everywhere a plugin can."""

    name = "discounter"
    ticks = 0

    @hookimpl
    def shop_settings_schema(self):
        return [
            SettingField("percent", FieldType.DECIMAL, default=Decimal(10), min=Decimal(0),
                         max=Decimal(50), help="Discount in percent."),
            SettingField("api_key", FieldType.SECRET, default="", help="Partner API key."),
            SettingField("mode", FieldType.CHOICE, default="all", choices=("all", "members")),
            SettingField("loud", FieldType.BOOLEAN, default=False),
        ]

    @hookimpl
    def shop_cart_adjustments(self, cart, customer):
        settings = plugin_settings(self.name)
        if settings["mode"] == "members" and not customer.is_member:
            return []
        return [Adjustment(code="d", label="Discounter deal",
                           percent=settings["percent"])]

    @hookimpl
    def shop_account_panels(self, customer):
        return [Panel(title="Discounter panel", html="<p>Your deal is waiting.</p>")]

    @hookimpl
    def shop_checkout_panels(self, cart, customer):
        return [Panel(title="Discounter at checkout", html="<p>Deal applied.</p>")]

    @hookimpl
    def shop_nav_links(self, customer):
        return [NavLink(label="Deals", url="/plugins/discounter/hello")]

    @hookimpl
    def shop_extra_assets(self):
        return [Asset("css", "/plugins/discounter/static/sample.css")]

    @hookimpl
    def shop_register_blueprints(self):
        bp = Blueprint("discounter", __name__, static_folder=STATIC, static_url_path="/static")

        @bp.get("/hello")
        def hello():
            return "hello from discounter"

        return [bp]

    @hookimpl
    def shop_register_commands(self, cli):
        @click.command("discounter-hello")
        def hello():
            click.echo("discounter says hello")

        cli.add_command(hello)

    @hookimpl
    def shop_register_jobs(self):
        return [Job("tick", self.tick, every_seconds=3600)]

    def tick(self):
        type(self).ticks += 1


class NeedsKey:
    """Cannot be enabled until its required key is set."""

    name = "needskey"

    @hookimpl
    def shop_settings_schema(self):
        return [SettingField("token", FieldType.SECRET, required=True, help="API token")]


class FlakyReactor:
    """Raises in shop_order_paid until ``failures_left`` runs out."""

    name = "flaky"
    failures_left = 0
    calls: list[int] = []
    attempts = 0

    @hookimpl
    def shop_order_paid(self, order_id):
        type(self).attempts += 1
        if type(self).failures_left > 0:
            type(self).failures_left -= 1
            raise RuntimeError("mail server down")
        type(self).calls.append(order_id)


class SlowReactor:
    """Takes ``seconds`` in shop_order_paid (a mail server that answers slowly)."""

    name = "slow"
    seconds = 0.0
    calls: list[int] = []

    @hookimpl
    def shop_order_paid(self, order_id):
        time.sleep(type(self).seconds)
        type(self).calls.append(order_id)


class Recorder:
    name = "recorder"
    paid: list[int] = []

    @hookimpl
    def shop_order_paid(self, order_id):
        type(self).paid.append(order_id)


class BrokenValidator:
    name = "brokenvalidator"

    @hookimpl
    def shop_validate_checkout(self, cart, customer):
        raise RuntimeError("validator crashed")


class Objector:
    name = "objector"

    @hookimpl
    def shop_validate_checkout(self, cart, customer):
        return ["Gift cards cannot be shipped abroad."]


class Voter:
    """Votes on "vip.enter": allow members, veto one email, crash for another."""

    name = "voter"

    @hookimpl
    def shop_register_blueprints(self):
        bp = Blueprint("voter", __name__)

        @bp.get("/vip")
        def vip():
            if can(current_customer(), "vip.enter", default=False):
                return "Welcome to the VIP lounge"
            return forbidden("vip.enter")

        return [bp]

    @hookimpl
    def shop_permission(self, actor, action, resource):
        if action != "vip.enter":
            return None
        if actor.email == "crash@example.com":
            raise RuntimeError("vote crashed")
        if actor.email == "banned@example.com":
            return False
        return True if actor.is_member else None

    @hookimpl
    def shop_forbidden(self, actor, action, resource):
        return "Join the club to enter the VIP lounge."


class AlwaysAllow:
    name = "allower"

    @hookimpl
    def shop_permission(self, actor, action, resource):
        return True


class FailingJob:
    name = "failingjob"

    @hookimpl
    def shop_register_jobs(self):
        return [Job("explode", self.explode, every_seconds=60)]

    def explode(self):
        raise RuntimeError("job exploded")


class Notes:
    """Owns a table, created by its own Alembic branch."""

    name = "notes"

    @hookimpl
    def shop_migration_dirs(self):
        return [str(Path(__file__).parent / "notes_migrations")]


class Greeter:
    """Welcomes new members (transactional) and sends them news (marketing)."""

    name = "greeter"

    @hookimpl
    def shop_customer_registered(self, user_id):
        notify("welcome.txt", "Welcome!", user_id=user_id, code="HELLO")
        notify("news.txt", "Our news", user_id=user_id, kind="marketing",
               headline="New beans")


class Statements:
    """Sends a monthly statement (about the member's account) and tips (news)."""

    name = "stmts"

    @hookimpl
    def shop_message_kinds(self):
        return [MessageKind("statement", "Monthly account statement",
                            help="Points, tier and events, once a month.", news=False),
                MessageKind("tips", "Brewing tips")]

    def send(self, user_id: int, kind: str, subject: str):
        return notify("news.txt", subject, user_id=user_id, kind=kind, headline=subject)


class Deals:
    """Money off products, one row of its ``deals`` table per product; a list of words."""

    name = "deals"

    @hookimpl
    def shop_settings_schema(self):
        return [
            SettingField("deals", FieldType.TABLE, label="Deals", columns=[
                SettingField("sku", required=True, unique=True, label="SKU"),
                SettingField("label", required=True),
                SettingField("off", FieldType.MONEY, required=True, min=1,
                             help="Off each item."),
                SettingField("min_quantity", FieldType.INTEGER, default=1, min=1),
                SettingField("audience", FieldType.CHOICE, default="all",
                             choices=("all", "members")),
                SettingField("loud", FieldType.BOOLEAN, default=False),
                SettingField("tags", FieldType.LIST, default=[]),
            ], help="One row per product."),
            SettingField("hashtags", FieldType.LIST, unique=True, default=["coffee"],
                         help="Words for the shop's posts."),
            SettingField("sizes", FieldType.LIST, item_type=FieldType.INTEGER, min=1,
                         default=[]),
        ]

    @hookimpl
    def shop_cart_adjustments(self, cart, customer):
        deals = {row["sku"]: row for row in plugin_settings(self.name)["deals"]}
        return [Adjustment(code=line.sku, label=deal["label"], phase="line",
                           amount=deal["off"] * line.quantity, target_skus=(line.sku,))
                for line in cart.lines if (deal := deals.get(line.sku))
                and line.quantity >= deal["min_quantity"]
                and (deal["audience"] == "all" or customer.is_member)]


class SlowPricing:
    """A pricing plugin that takes SLOW_PRICING_SECONDS (0.12 by default) over every cart,
    and on a cart of two items hangs for as long as the file named by SLOW_PRICING_HANG
    exists; fails on a cart with the Ethiopian coffee."""

    name = "slow_pricing"

    @hookimpl
    def shop_cart_adjustments(self, cart, customer):
        hang = os.environ.get("SLOW_PRICING_HANG")
        while hang and sum(line.quantity for line in cart.lines) == 2 and Path(hang).exists():
            time.sleep(0.05)
        time.sleep(float(os.environ.get("SLOW_PRICING_SECONDS", "0.12")))
        if any(line.sku == "COF-ETH-250" for line in cart.lines):
            raise RuntimeError("pricing service unreachable")
        return []


slow_pricing = SlowPricing()  # "tests.support.sample_plugins:slow_pricing" in EXTRA_PLUGINS


class StartupProbe:
    """Appends the id of each process that creates the app to the file STARTUP_PROBE_FILE,
    and reads the database while the app starts, as a careless plugin might: the connection
    stays in that process's pool."""

    name = "startup_probe"

    @hookimpl
    def shop_startup(self, app):
        with open(os.environ["STARTUP_PROBE_FILE"], "a", encoding="utf-8") as probe:
            probe.write(f"{os.getpid()}\n")
        with app.app_context():
            session().execute(text("SELECT 1"))
            session().remove()  # back to the pool, still connected


startup_probe = StartupProbe()  # "tests.support.sample_plugins:startup_probe"
