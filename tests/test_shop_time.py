"""The shop's time zone and its "today", as plugins read them (hooks.shop_timezone, today,
utcnow) and as the SHOP_TIMEZONE setting gives them."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

import hooks
from storefront.config import ConfigError

# The functions read the configuration only; one database is enough.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


def test_the_shop_answers_in_its_own_time_zone(make_app):
    app = make_app(SHOP_TIMEZONE="Europe/Madrid")
    with app.app_context():
        assert hooks.shop_timezone() == ZoneInfo("Europe/Madrid")
        before = datetime.now(ZoneInfo("Europe/Madrid")).date()
        today = hooks.today()
        after = datetime.now(ZoneInfo("Europe/Madrid")).date()
        assert today in (before, after)  # the same, unless midnight passed in between
        now = hooks.utcnow()
        assert now.tzinfo is None
        assert abs(now - datetime.now(UTC).replace(tzinfo=None)) < timedelta(seconds=5)


def test_today_is_the_shops_date_not_utcs(make_app):
    # UTC+14 and UTC-11: 25 hours apart, so never on the same date.
    answers = {}
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        app = make_app(SHOP_TIMEZONE=zone)
        with app.app_context():
            before = datetime.now(ZoneInfo(zone)).date()
            answers[zone] = hooks.today()
            assert answers[zone] in (before, datetime.now(ZoneInfo(zone)).date())
    assert answers["Pacific/Kiritimati"] > answers["Pacific/Pago_Pago"]


def test_the_default_time_zone_is_utc(make_app):
    app = make_app()
    with app.app_context():
        assert app.config["SHOP_TIMEZONE"] == "UTC"
        assert hooks.shop_timezone() == ZoneInfo("UTC")


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../etc/passwd"])
def test_an_invalid_time_zone_refuses_to_start_naming_the_setting(make_app, zone):
    with pytest.raises(ConfigError, match=r"^SHOP_TIMEZONE .* is not a time zone name .*"
                                          r"STOREFRONT_SHOP_TIMEZONE"):
        make_app(SHOP_TIMEZONE=zone)
