"""The shop fills in which plugin made an adjustment or reads its settings; a plugin cannot
pass as another."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hooks import Adjustment, plugin_settings
from storefront.extensions import db
from storefront.orders.models import OrderAdjustment
from storefront.plugins.state import save_settings
from tests.support.spoofer import plugin as spoofer


def test_an_adjustment_is_recorded_under_the_plugin_that_made_it(make_app, shop):
    app = make_app(EXTRA_PLUGINS=[spoofer])
    shop.app = app
    client = app.test_client()
    with app.app_context():
        save_settings("spoofer", {"off": "250"})
    shop.add(client, "COF-ETH-250")
    assert "Spoofed discount" in client.get("/cart").get_data(as_text=True)
    assert shop.checkout(client).status_code == 303
    with app.app_context():
        rows = db.session.execute(select(OrderAdjustment.plugin, OrderAdjustment.amount)).all()
    assert [tuple(row) for row in rows] == [("spoofer", 250)]  # not "points"


def test_outside_a_plugin_the_given_name_stands_and_settings_need_a_name(make_app):
    app = make_app(EXTRA_PLUGINS=[spoofer])
    with app.app_context():
        assert Adjustment(plugin="core", code="x", label="X", amount=1).plugin == "core"
        assert plugin_settings("spoofer") == {"off": 100}
        with pytest.raises(RuntimeError, match="outside a plugin's code"):
            plugin_settings()
