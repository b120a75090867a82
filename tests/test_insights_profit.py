"""Profitability per segment, net of the programme's cost (issue 15), worked out by hand on a
small history: a member's order placed and paid through the shop (a tier discount, points
spent and earned, an event seat with a cost) and imported orders with and without costs, on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from hooks import today, utcnow
from loyalty_plugins.insights.models import CustomerFigures
from loyalty_plugins.insights.snapshot import refresh
from storefront.extensions import db
from storefront.imports.orders import import_orders
from storefront.orders.models import Order
from storefront.orders.service import mark_paid
from tests.events_support import event_file, registrations
from tests.points_support import give, last_order_id, loyalty_app, member, redeem
from tests.test_admin import staff_client
from tests.test_events import register
from tests.test_insights_figures import _cells, _row

PAGE = "/plugins/insights/profitability"
LADDER = [{"code": "member", "name": "Member", "threshold": "0", "discount_percent": "5"}]
SEGMENTS = {"mia@example.com": "champions", "u1@example.com": "loyal",
            "u2@example.com": "loyal", "gus@example.com": "lost", "sam@example.com": "lost"}


@pytest.fixture
def history(make_app, shop, tmp_path):
    content = tmp_path / "content"
    event_file(content, "cupping", capacity=5, guests=1, days=10, extra='cost: "7.50"\n')
    event_file(content, "tasting", capacity=5, days=12)  # no cost: counts nothing
    app = loyalty_app(make_app, plugins=("tiers", "points", "events", "insights"),
                      settings={"tiers": {"ladder": LADDER}}, CONTENT_DIR=str(content))
    mia, uid = member(app, shop)
    give(app, uid, 500, "welcome")
    shop.add(mia, "EQP-GRD-01")  # 69.00 (cost 38.00), free shipping
    redeem(mia, 300)
    assert shop.checkout(mia).status_code == 303
    with app.app_context():
        assert mark_paid(last_order_id(app))
        db.session.commit()
    assert register(mia, "cupping", guests=1).status_code in (302, 303)
    assert register(mia, "tasting").status_code in (302, 303)
    assert len(registrations(app)) == 2
    when = (utcnow() - timedelta(days=3)).isoformat()
    path = tmp_path / "history.csv"
    path.write_text("\n".join([
        "order,email,date,total,refunded,cost,sku,title,quantity,price,unit cost",
        f"h1,u1@example.com,{when},20.00,,8.00,,,,,",
        f"h2,u2@example.com,{when},34.90,6.98,,COF-ETH-250,Ethiopia,2,12.50,",
        "h2,,,,,,MYSTERY,A bag from the old shop,1,5.00,",
        f"h3,gus@example.com,{when},10.00,,,,,,,",
        f"h4,sam@example.com,{when},16.00,,,OLD-1,An old mug,2,8.00,3.00",
    ]) + "\n")
    with app.app_context():
        report = import_orders(path)
        assert report.problems == [] and report.imported == 4
        refresh(utcnow())
        for email, segment in SEGMENTS.items():  # a known split, whatever the scores say
            db.session.execute(update(CustomerFigures).where(
                CustomerFigures.customer == email).values(segment=segment))
        db.session.commit()
    return app


def _period(app) -> str:
    with app.app_context():
        day = today()
    return f"?from={day - timedelta(days=30)}&to={day + timedelta(days=30)}"


def test_an_order_keeps_its_lines_cost_and_the_import_takes_the_products(history):
    with history.app_context():
        orders = {o.external_ref or o.email: o for o in db.session.scalars(select(Order))}
        mia = orders["mia@example.com"]
        assert [(line.sku, line.unit_cost) for line in mia.lines] == [("EQP-GRD-01", 3800)]
        assert (mia.cost_total, mia.uncosted_lines) == (3800, 0)
        assert (orders["h1"].cost_total, orders["h1"].uncosted_lines) == (800, 0)
        # 2 x the product's 6.10; the unknown SKU has no cost and is counted as such.
        assert [line.unit_cost for line in orders["h2"].lines] == [610, None]
        assert (orders["h2"].cost_total, orders["h2"].uncosted_lines) == (1220, 1)
        assert (orders["h3"].cost_total, orders["h3"].uncosted_lines) == (None, 0)
        assert orders["h4"].cost_total == 600  # the file's unit cost, 2 x 3.00


def test_the_margin_of_each_segment_net_of_the_programme(history, shop):
    owner = staff_client(history, shop, "owner")
    answer = owner.get(PAGE + _period(history))
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    table = html.split('data-testid="profitability"', 1)[1].split("</table>", 1)[0]
    columns = ["customers", "revenue", "cost", "gross", "discounts", "points", "events", "net",
               "per customer", "uncosted"]
    # Mia: 69.00 less the tier's 5% (3.45) less 300 points (3.00) = 62.55 paid; cost 38.00;
    # gross 62.55 + 3.45 + 3.00 - 38.00 = 31.00 (69.00 - 38.00). Points issued: 500 given +
    # 62 earned on 62.55 = 562, at 0.01. Her seat and her guest's at the cupping, 7.50 each.
    # Net 31.00 - 3.45 - 5.62 - 15.00 = 6.93.
    assert dict(zip(columns, _cells(_row(table, "champions", "data-segment")), strict=True)) == {
        "customers": "1", "revenue": "€62.55", "cost": "€38.00", "gross": "€31.00",
        "discounts": "€3.45", "points": "€5.62", "events": "€15.00", "net": "€6.93",
        "per customer": "€6.93", "uncosted": "0%"}
    # u1 20.00 (cost 8.00); u2 34.90 less 6.98 refunded = 27.92, cost 12.20 for the 4/5
    # kept = 9.76 (the mystery bag has none). Net 47.92 - 17.76 = 30.16, 15.08 each.
    assert _cells(_row(table, "loyal", "data-segment")) == [
        "2", "€47.92", "€17.76", "€30.16", "€0.00", "€0.00", "€0.00", "€30.16", "€15.08", "0%"]
    # Gus 10.00 without a cost (margin = revenue); Sam 16.00, cost 6.00: 10/26 = 38%.
    assert _cells(_row(table, "lost", "data-segment")) == [
        "2", "€26.00", "€6.00", "€20.00", "€0.00", "€0.00", "€0.00",
        "€20.00", "€10.00", "38%"]
    assert _cells(_row(table, "new", "data-segment"))[:2] == ["0", "€0.00"]
    assert _cells(_row(table, "all", "data-segment")) == [
        "5", "€136.47", "€61.76", "€81.16", "€3.45", "€5.62", "€15.00", "€57.09", "€11.42",
        "7%"]
    said = html.split('data-testid="uncosted"', 1)[1].split("</p>", 1)[0]
    assert "€10.00 of the period" in said and "1 order had some lines without a cost" in said


def test_the_page_in_spanish_and_a_period_it_cannot_read(history, shop):
    manager = staff_client(history, shop, "manager")
    spanish = manager.get(PAGE + _period(history), headers={"Accept-Language": "es"})
    text = spanish.get_data(as_text=True)
    assert spanish.status_code == 200 and "Rentabilidad por segmento" in text
    assert "Margen neto" in text and "Coste de la mercancía" in text
    bad = manager.get(PAGE + "?from=2026-05-02&to=2026-05-01")
    assert bad.status_code == 400 and "must not be after its last day" in bad.get_data(
        as_text=True)
    overview = manager.get("/plugins/insights/").get_data(as_text=True)
    assert f'href="{PAGE}"' in overview


def test_without_points_and_events_their_costs_count_nothing(history, shop):
    with history.app_context():
        from storefront.plugins.state import set_enabled

        set_enabled("points", False, actor="test")
        set_enabled("events", False, actor="test")
    html = staff_client(history, shop, "owner").get(PAGE + _period(history)).get_data(
        as_text=True)
    table = html.split('data-testid="profitability"', 1)[1].split("</table>", 1)[0]
    # The 3.00 paid with points stays among the discounts when points are not counted.
    assert _cells(_row(table, "champions", "data-segment"))[3:8] == [
        "€31.00", "€6.45", "€0.00", "€0.00", "€24.55"]


def test_an_events_cost_per_seat_is_checked_like_its_price(tmp_path):
    from loyalty_plugins.events.content import check

    event_file(tmp_path, "dinner", extra='cost: "12.50"\n')
    event_file(tmp_path, "picnic", extra="cost: a lot\n")
    problems = [(path.rsplit("/", 1)[1], field, problem)
                for path, field, problem in check(tmp_path)]
    assert problems == [("picnic.md", "cost", "must be an amount like 12.50 (what one seat "
                         "costs you)")]
