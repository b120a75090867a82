"""Edges a shopper meets with time: a form left open past its CSRF lifetime, and points that
expire at midnight in the shop's time zone, both through HTTP with the clock moved
(time-machine moves Python's clock for the shop and for the signed tokens alike)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from loyalty_plugins.points import config, ledger
from storefront.cli import main
from storefront.extensions import db
from storefront.orders.models import Order
from tests.points_support import balance, loyalty_app, member, redeem

MADRID = ZoneInfo("Europe/Madrid")


def order_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Order.id)))


def test_a_checkout_left_open_past_the_form_lifetime_asks_to_reload_and_keeps_the_cart(
        app, shop):
    client = app.test_client()
    shop.add(client, "TEA-SEN-100")
    with time_machine.travel(datetime.now(), tick=True) as clock:
        fields = shop.checkout_fields(client)
        clock.shift(timedelta(seconds=app.config["WTF_CSRF_TIME_LIMIT"] + 60))
        expired = client.post("/checkout", data={**fields, "email": "late@example.com",
                                                 "name": "Late", "address": "1 Road"})
        assert expired.status_code == 400
        assert "Form expired" in expired.get_data(as_text=True)
        assert order_count(app) == 0
        assert shop.product("TEA-SEN-100").title in client.get("/cart").get_data(True)
        assert shop.checkout(client, email="late@example.com").status_code == 303  # reload
    assert order_count(app) == 1


@pytest.mark.parametrize("local_clock, usable", [("2027-01-09T23:59:59", True),
                                                 ("2027-01-10T00:00:00", False)])
def test_points_are_spendable_until_midnight_in_the_shop_time_zone_and_not_after(
        make_app, shop, local_clock, usable):
    """Usable from 10 January 2026 (Madrid), 12 months: gone when 10 January 2027 begins in
    Madrid (23:00 UTC on the 9th), even before the expiry job has run."""
    app = loyalty_app(make_app, SHOP_TIMEZONE="Europe/Madrid")
    client, uid = member(app, shop)
    earned = datetime(2026, 1, 10, 9, 0, tzinfo=MADRID)
    with app.app_context():
        ledger.grant(uid, 150, "bonus", ledger.Who("welcome"), config.current(),
                     now=earned.astimezone(ZoneInfo("UTC")).replace(tzinfo=None))
        db.session.commit()
    with time_machine.travel(datetime.fromisoformat(local_clock).replace(tzinfo=MADRID),
                             tick=False):
        shop.login(client, "mia@example.com", "correct horse battery")  # a year later
        shop.add(client, "EQP-GRD-01")
        page = client.get("/checkout").get_data(as_text=True)
        assert ("You have <strong>150 points</strong>" in page) is usable
        redeem(client, 100)
        assert shop.checkout(client).status_code == 303
        with app.app_context():
            assert db.session.scalar(select(Order.total)) == (6900 - 100 if usable else 6900)
        result = app.test_cli_runner().invoke(main, ["jobs", "run", "--force"])
        assert result.exit_code == 0, result.output
        history = client.get("/plugins/points/history").get_data(as_text=True)
    assert balance(app, uid) == ((50, 0, 100) if usable else (0, 0, 0))
    assert ("Expired" in history) is not usable
