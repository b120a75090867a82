"""Backtests of the points and tiers settings (issue 15): the owner's "What if" replays a small
fixed history under the saved and the tried settings, against figures worked out by hand; a
replay of the saved points settings gives what the ledger really earned. SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from hooks import utcnow
from loyalty_plugins.points import backtest
from loyalty_plugins.points.models import PointsLot, PointsReversal
from storefront.extensions import db
from storefront.imports.orders import import_orders
from storefront.orders.models import Order
from storefront.orders.service import mark_paid, record_refund
from storefront.plugins.state import settings_for, stored_settings
from tests.points_support import last_order_id, loyalty_app, member
from tests.support.forms import csrf_token
from tests.test_admin import staff_client
from tests.test_what_if import cells
from tests.test_what_if import errors as field_errors


def imported(app, tmp_path, orders):
    """orders: (email, days ago, total, refunded)."""
    now = utcnow()
    rows = ["order,email,date,total,refunded"]
    rows += [f"h{n},{email},{(now - timedelta(days=days)).isoformat()},{total},{refunded}"
             for n, (email, days, total, refunded) in enumerate(orders)]
    path = tmp_path / "history.csv"
    path.write_text("\n".join(rows) + "\n")
    with app.app_context():
        assert import_orders(path).imported == len(orders)


def what_if(client, plugin, data, **kwargs):
    """The settings form as the owner fills it in, sent with "What if"."""
    page = client.get(f"/admin/plugins/{plugin}").get_data(as_text=True)
    return client.post(f"/admin/plugins/{plugin}/what-if",
                       data={"csrf_token": csrf_token(page), **data}, **kwargs)


POINTS_HISTORY = [("a@example.com", 5, "10.00", "0"), ("b@example.com", 40, "12.34", "0"),
                  ("a@example.com", 100, "25.55", "10.00"), ("c@example.com", 50, "9.99", "9.99"),
                  ("b@example.com", 400, "50.00", "0")]


def test_points_what_if_matches_the_figures_worked_out_by_hand(make_app, shop, tmp_path):
    app = loyalty_app(make_app)
    imported(app, tmp_path, POINTS_HISTORY)
    owner = staff_client(app, shop, "owner")
    with app.app_context():
        before = stored_settings("points")
    answer = what_if(owner, "points", {"earn_per_unit": "1.5", "rounding": "up",
                                       "point_value": "0.02", "min_redeem": "100"})
    assert answer.status_code == 200, answer.status_code
    html = answer.get_data(as_text=True)
    # Saved (1 a unit, down): 10 + 12 + (25 - floor(25 * 1000 / 2555) = 9) + (9, all refunded
    # = 0) = 38 points, worth 0.38. Tried (1.5, up): 15 + 19 (18.51) + (39 - 15) + 0 = 58,
    # at 0.02 each: 1.16. The 50.00 of 400 days ago is outside the 12 months.
    assert cells(html, "Orders that earn points") == ["4", "4", "0"]
    assert cells(html, "Points earned (less refunds)") == ["38", "58", "+20"]
    assert cells(html, "What those points are worth (liability)") == [
        "€0.38", "€1.16", "+€0.78"]
    with app.app_context():
        assert stored_settings("points") == before
    month = what_if(owner, "points", {"earn_per_unit": "1.5", "rounding": "nearest",
                                      "what-if-months": "1"}).get_data(as_text=True)
    assert "the last 1 month of orders" in month
    assert cells(month, "Points earned (less refunds)") == ["10", "15", "+5"]  # 10.00 alone


def test_invalid_points_settings_show_the_errors_of_saving(make_app, shop):
    app = loyalty_app(make_app)
    owner = staff_client(app, shop, "owner")
    bad = {"earn_per_unit": "lots", "rounding": "sideways", "min_redeem": "0"}
    trying = what_if(owner, "points", bad)
    page = owner.get("/admin/plugins/points").get_data(as_text=True)
    saving = owner.post("/admin/plugins/points/settings",
                        data={"csrf_token": csrf_token(page), **bad})
    assert trying.status_code == saving.status_code == 400
    found = field_errors(trying.get_data(as_text=True))
    assert found == field_errors(saving.get_data(as_text=True))
    assert set(found) == {"setting-earn_per_unit", "setting-rounding", "setting-min_redeem"}


def test_a_replay_of_the_saved_settings_gives_what_the_ledger_earned(make_app, shop):
    app = loyalty_app(make_app, settings={"points": {"earn_per_unit": "1.37",
                                                     "rounding": "nearest"}})
    client, _uid = member(app, shop)
    bought = []
    for sku, quantity in (("EQP-GRD-01", 1), ("TEA-SEN-100", 1), ("TEA-ASM-200", 3)):
        shop.add(client, sku, quantity)  # the teas pay shipping, the grinder does not
        assert shop.checkout(client).status_code == 303
        bought.append(last_order_id(app))
        with app.app_context():
            assert mark_paid(bought[-1])
    guest = app.test_client()
    shop.add(guest, "TEA-SEN-100", 2)
    shop.checkout(guest)
    with app.app_context():
        assert mark_paid(last_order_id(app))
        assert record_refund(bought[0], "re_1", 2333, "part")
        assert record_refund(bought[1], "re_2", 500, "part")
    with app.app_context():
        earned = db.session.scalar(select(func.sum(PointsLot.amount)).where(
            PointsLot.source == "earn"))
        reversed_ = db.session.scalar(select(func.coalesce(func.sum(PointsReversal.due), 0)))
        lots = db.session.scalar(select(func.count()).where(PointsLot.source == "earn"))
        shipped = db.session.scalar(select(func.count()).where(Order.shipping > 0))
        saved = settings_for("points")
        [replay, on_points] = backtest.replay([saved, saved | {"earn_on_points_paid": True}],
                                              utcnow() - timedelta(days=1), 1)
    assert lots == 4 and reversed_ > 0 and shipped == 3
    assert (replay.orders, replay.points) == (lots, earned - reversed_)
    assert on_points == replay  # nothing was paid with points


TIERS_HISTORY = [("a@example.com", 10, "200.00", "0"), ("a@example.com", 200, "150.00", "0"),
                 ("b@example.com", 45, "1200.00", "0"), ("c@example.com", 20, "100.00", "0"),
                 ("c@example.com", 500, "400.00", "0"), ("d@example.com", 60, "250.00", "50.00"),
                 ("guest@example.com", 15, "5000.00", "0")]


def ladder_form(rows):
    form = {}
    for n, (code, name, threshold, percent) in enumerate(rows):
        form |= {f"ladder-{n}-code": code, f"ladder-{n}-name": name,
                 f"ladder-{n}-threshold": threshold, f"ladder-{n}-discount_percent": percent,
                 f"ladder-{n}-points_multiplier": "1", f"ladder-{n}-flags": ""}
    return form


def test_tiers_what_if_counts_members_per_tier_and_the_discount_cost(make_app, shop, tmp_path):
    app = loyalty_app(make_app, plugins=("tiers",))
    for name in "abcd":
        shop.create_user(f"{name}@example.com")
    imported(app, tmp_path, TIERS_HISTORY)
    owner = staff_client(app, shop, "owner")
    with app.app_context():
        before = stored_settings("tiers")
    candidate = {"programme_name": "Club Premium", "window_months": "24", "grace_days": "30",
                 **ladder_form([("member", "Member", "0", "0"), ("bronze", "Bronze", "100.00", "2"),
                                ("silver", "Silver", "300.00", "5"),
                                ("gold", "Gold", "1000.00", "10")])}
    answer = what_if(owner, "tiers", candidate)
    assert answer.status_code == 200, answer.status_code
    html = answer.get_data(as_text=True)
    # Saved (12 months; silver 300.00 at 5%, gold 1000.00 at 10%): a 350 silver, b 1200 gold,
    # c 100 and d 200 (250 less 50 refunded) members. Tried (24 months, bronze 100.00 at 2%):
    # c's 400.00 of 500 days ago counts, 500: silver; d bronze. The guest has no account.
    assert cells(html, "Member") == ["2", "0", "-2"]
    assert cells(html, "Bronze") == ["–", "1", "–"]
    assert cells(html, "Silver") == ["1", "2", "+1"]
    assert cells(html, "Gold") == ["1", "1", "0"]
    # Paid in the 12 months: a 350, b 1200, c 100, d 200. Saved: 5% of 350 + 10% of 1200 =
    # 137.50; tried: that, 5% of c's 100 and 2% of d's 200: 146.50.
    assert cells(html, "Tier discounts on the period&#39;s orders") == [
        "€137.50", "€146.50", "+€9.00"]
    with app.app_context():
        assert stored_settings("tiers") == before
    spanish = what_if(owner, "tiers", candidate | {"what-if-months": "1"},
                      headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "<caption>Socios por nivel</caption>" in spanish and "Socio</th>" in spanish
    # In the last month only a's 200 and c's 100: 5% of 200 saved; and 5% of 100 tried.
    assert cells(spanish, "Descuentos de nivel en los pedidos del periodo") == [
        "10,00\xa0€", "15,00\xa0€", "+5,00\xa0€"]
