"""Dates and times on the member's and the staff's pages are written as the reader's language
writes them, in the shop's time zone (issue 18), not as ISO text in UTC."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from sqlalchemy import select

from storefront.accounts.models import User
from storefront.extensions import db
from storefront.orders.models import Order
from tests.points_support import loyalty_app, member
from tests.test_admin import staff_client

ZONE = "Europe/Madrid"


def placed_on(app) -> datetime:
    """The day the only order was placed, in the shop's time zone."""
    with app.app_context():
        placed = db.session.scalars(select(Order.created_at)).one()
    return placed.replace(tzinfo=ZoneInfo("UTC")).astimezone(ZoneInfo(ZONE))


def test_a_members_orders_and_the_staffs_order_page_show_dates_in_the_readers_language(
        make_app, shop):
    app = loyalty_app(make_app, plugins=("points",), SHOP_TIMEZONE=ZONE)
    client, uid = member(app, shop)
    shop.add(client, "EQP-GRD-01")
    assert shop.checkout(client).status_code == 303
    day = placed_on(app).date()
    english = client.get("/account").get_data(as_text=True)
    assert format_date(day, "long", locale="en") in english  # "December 5, 2026"
    assert day.isoformat() not in english
    with app.app_context():
        db.session.get(User, uid).language = "es"
        db.session.commit()
    spanish = client.get("/account").get_data(as_text=True)
    assert format_date(day, "long", locale="es") in spanish  # "5 de diciembre de 2026"
    staff = staff_client(app, shop, "staff")
    with app.app_context():
        order_id = db.session.scalars(select(Order.id)).one()
    page = staff.get(f"/admin/orders/{order_id}", headers={"Accept-Language": "es"})
    text = page.get_data(as_text=True)
    assert f"realizado el {format_date(day, 'medium', locale='es')}" in text
    assert " UTC" not in text
