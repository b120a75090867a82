"""Texts the loyalty plugins store in English (the points ledger's reasons and actors, the tier
changes' reasons, the events plugin's attendance points) are shown in the reader's language;
the English stays as it was, and what people typed (a staff correction's reason) is shown as
typed."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hooks import call
from loyalty_plugins.points import config, ledger
from loyalty_plugins.points.clock import local_date, utcnow
from loyalty_plugins.points.describe import describe_actor, describe_entry
from loyalty_plugins.points.models import PointsEntry
from loyalty_plugins.tiers.describe import describe_change
from loyalty_plugins.tiers.models import TierChange
from storefront.accounts.models import User
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.orders.service import mark_paid
from tests.points_support import last_order_id, loyalty_app, member, redeem
from tests.support.forms import post_form
from tests.test_admin import staff_client

HISTORY = "/plugins/points/history"


@pytest.fixture
def app(make_app):
    return loyalty_app(make_app, plugins=("points", "tiers"),
                       settings={"points": {"signup_bonus": 25}})


def speaks_spanish(app, user_id: int) -> None:
    """The member chose Spanish: it is saved on their account."""
    with app.app_context():
        db.session.get(User, user_id).language = "es"
        db.session.commit()


def buy(app, shop, client, quantity: int = 1) -> str:
    """Order the hand grinder and have it paid; the order's number."""
    shop.add(client, "EQP-GRD-01", quantity)
    assert shop.checkout(client).status_code == 303
    order_id = last_order_id(app)
    with app.app_context():
        assert mark_paid(order_id)
        return db.session.get(Order, order_id).number


def earn_then_spend(app, shop, client) -> tuple[str, str]:
    """Earn points on a paid order, let them become usable, and pay part of a second order
    with them: the two orders' numbers."""
    earned_on = buy(app, shop, client, quantity=5)
    with app.app_context():
        ledger.mature(utcnow() + timedelta(days=15))
        db.session.commit()
    shop.add(client, "EQP-GRD-01")
    redeem(client, 100)
    spent_on = buy(app, shop, client)
    return earned_on, spent_on


def correct(staff, user_id: int, points: int, reason: str):
    page = f"/plugins/points/staff/{user_id}"
    answer = post_form(staff, page, page, {"points": str(points), "reason": reason})
    assert answer.status_code == 303, answer.status_code


def whole_period(app) -> str:
    """The statement's query for a period holding every entry of the test (the matured
    points are dated 15 days ahead)."""
    with app.app_context():
        today = local_date(utcnow(), config.current().tz)
    return (f"start={(today - timedelta(days=2)).isoformat()}"
            f"&end={(today + timedelta(days=40)).isoformat()}")


def test_a_spanish_member_reads_their_points_history_in_spanish(app, shop):
    client, uid = member(app, shop)
    speaks_spanish(app, uid)
    earned_on, spent_on = earn_then_spend(app, shop, client)
    page = client.get(HISTORY).get_data(as_text=True)
    assert '<html lang="es"' in page
    for spanish in (f"pedido {earned_on} pagado", f"pedido {spent_on} pagado",
                    f"canjeados en el pedido {spent_on}", "terminó el plazo de devolución",
                    "bienvenida al Club", "<td>sistema</td>", "<td>cliente</td>"):
        assert spanish in page, spanish
    for english in ("paid<", "redeemed on order", "the return window closed",
                    "welcome to the club", "<td>system</td>", "<td>shopper</td>"):
        assert english not in page, english
    # The CSV statement says the same.
    statement = client.get(f"/plugins/points/statement.csv?{whole_period(app)}")
    text = statement.get_data(as_text=True)
    assert statement.status_code == 200, statement.status_code
    for spanish in (f"pedido {earned_on} pagado", f"canjeados en el pedido {spent_on}",
                    "terminó el plazo de devolución", ",cliente"):
        assert spanish in text, spanish
    assert "redeemed on order" not in text and f"order {earned_on} paid" not in text


def test_an_english_member_reads_the_history_as_before(app, shop):
    client, uid = member(app, shop, email="ann@example.com", name="Ann")
    earned_on, spent_on = earn_then_spend(app, shop, client)
    page = client.get(HISTORY).get_data(as_text=True)
    for english in (f"<td>order {earned_on} paid</td>", f"<td>order {spent_on} paid</td>",
                    f"<td>redeemed on order {spent_on}</td>", "<td>the return window closed</td>",
                    "<td>welcome to the club</td>", "<td>system</td>", "<td>shopper</td>"):
        assert english in page, english
    with app.app_context():  # what is shown is what the ledger keeps
        stored = set(db.session.scalars(select(PointsEntry.reason).where(
            PointsEntry.user_id == uid)))
    assert {f"order {earned_on} paid", f"redeemed on order {spent_on}",
            "the return window closed", "welcome to the club"} <= stored
    text = client.get(f"/plugins/points/statement.csv?{whole_period(app)}").get_data(True)
    assert f"redeemed on order {spent_on},shopper" in text


def test_a_staff_correction_reads_as_typed_in_either_language(app, shop):
    client, uid = member(app, shop)
    speaks_spanish(app, uid)
    staff = staff_client(app, shop, "staff")
    manager = staff_client(app, shop, "manager")
    # The member's language does not translate what staff typed, even words the plugin
    # itself writes elsewhere: a correction is recognised by its kind, not by its text.
    correct(staff, uid, 40, "parcel lost, goodwill")
    correct(staff, uid, 30, "welcome to the club")
    correct(staff, uid, 5000, "Perdimos tu paquete: lo sentimos")  # waits for a manager
    with app.app_context():
        from loyalty_plugins.points.models import PointsAdjustment

        waiting = db.session.scalar(select(PointsAdjustment.id).where(
            PointsAdjustment.status == "pending"))
    answer = post_form(manager, "/plugins/points/staff/adjustments",
                       f"/plugins/points/staff/adjustments/{waiting}/approve", {})
    assert answer.status_code == 303
    page = client.get(HISTORY).get_data(as_text=True)
    for shown in ("<td>parcel lost, goodwill</td>", "<td>welcome to the club</td>",
                  "<td>Perdimos tu paquete: lo sentimos</td>", "<td>bienvenida al Club</td>",
                  "<td>staff@example.com</td>",
                  "<td>staff@example.com, con la aprobación de manager@example.com</td>"):
        assert shown in page, shown
    # Staff read the same rows in their own language (English here), typed text unchanged.
    staff_page = staff.get(f"/plugins/points/staff/{uid}").get_data(as_text=True)
    for shown in ("<td>parcel lost, goodwill</td>", "<td>Perdimos tu paquete: lo sentimos</td>",
                  "<td>staff@example.com, approved by manager@example.com</td>"):
        assert shown in staff_page, shown
    spanish_staff = staff.get(f"/plugins/points/staff/{uid}",
                              headers={"Accept-Language": "es"}).get_data(as_text=True)
    assert "<td>parcel lost, goodwill</td>" in spanish_staff
    assert "<td>bienvenida al Club</td>" in spanish_staff


def test_the_level_history_is_in_the_readers_language(app, shop):
    client, uid = member(app, shop)
    number = buy(app, shop, client, quantity=5)  # 345.00: Silver
    english = client.get("/account").get_data(as_text=True)
    assert re.search(rf"\(order {number} paid: €[\d,]+\.\d\d spent in the last 12 months\)",
                     english), english
    speaks_spanish(app, uid)
    spanish = client.get("/account").get_data(as_text=True)
    assert re.search(rf"\(pedido {number} pagado: [\d.]+,\d\d\xa0€ gastados en los últimos "
                     r"12 meses\)", spanish), spanish
    assert "spent in the last" not in spanish
    with app.app_context():  # the English stays in the table: the audit trail
        reason = db.session.scalar(select(TierChange.reason).where(TierChange.user_id == uid))
    assert re.fullmatch(rf"order {number} paid: \d+\.\d\d spent in the last 12 months", reason)


def test_attendance_points_are_in_the_readers_language(app, shop):
    client, uid = member(app, shop)
    speaks_spanish(app, uid)
    with app.app_context():  # as the events plugin grants them at check-in
        assert call("points_grant", user_id=uid, points=20, reason="Attended Coffee cupping",
                    key="event-attendance:7", actor="staff")
        assert call("points_grant", user_id=uid, points=5, reason="Attended the tasting",
                    key="another-plugin:1", actor="tastings")
        db.session.commit()
    page = client.get(HISTORY).get_data(as_text=True)
    assert "<td>Asistencia a Coffee cupping</td><td>equipo</td>" in page
    # Another plugin's reason is its own text: shown as it gave it.
    assert "<td>Attended the tasting</td><td>tastings</td>" in page


def entry(kind: str, reason: str, *, order_id: int | None = 42, key: str | None = None,
          actor: str = "system") -> PointsEntry:
    return PointsEntry(user_id=1, bucket="available", delta=1, kind=kind, order_id=order_id,
                       key=key, reason=reason, actor=actor)


def said(app, language: str, what, *rows) -> list[str]:
    with app.test_request_context(headers={"Accept-Language": language}):
        return [what(row) for row in rows]


def test_every_reason_the_ledger_writes_is_recognised(app):
    def label(order_id: int) -> str:
        return f"SF-{order_id:06d}"

    rows = [
        entry("claim", "points of guest order SF-000042 for guest@example.com"),
        entry("expire", "points usable from 2026-03-05 expired", order_id=None),
        entry("release", "order SF-000042 was cancelled"),
        entry("reverse", "refund of order SF-000042", actor="refund"),
        entry("refund", "paid on order SF-000042, returned by its refund", key="return:re_1"),
        entry("freeze", "the payment of order SF-000042 is disputed", actor="card dispute"),
        entry("thaw", "the dispute on order SF-000042 ended", actor="card dispute"),
        entry("spend", "paid order SF-000042", key="spend:42"),
        entry("adjust", "parcel lost", order_id=None, actor="a@example.com, approved by b@x.es"),
        entry("bonus", "test bonus", order_id=None, key="test:1"),
    ]
    # English: the stored text, but the expiry's date written in words as | day writes it.
    assert said(app, "en", lambda row: describe_entry(row, label), *rows) == [
        row.reason if row.kind != "expire" else "points usable from March 5, 2026 expired"
        for row in rows]
    assert said(app, "es", lambda row: describe_entry(row, label), *rows) == [
        "puntos del pedido SF-000042, hecho como invitado con guest@example.com",
        "caducaron los puntos disponibles desde el 5 de marzo de 2026",
        "se canceló el pedido SF-000042",
        "reembolso del pedido SF-000042",
        "usados en el pedido SF-000042 y devueltos por su reembolso",
        "el pago del pedido SF-000042 está en disputa",
        "terminó la disputa del pago del pedido SF-000042",
        "pago del pedido SF-000042",
        "parcel lost",
        "test bonus",
    ]
    assert said(app, "es", describe_actor, rows[3], rows[5], rows[8]) == [
        "reembolso", "disputa del pago", "a@example.com, con la aprobación de b@x.es"]


def test_every_tier_reason_is_recognised_and_others_are_kept(app):
    def change(reason: str) -> TierChange:
        return TierChange(user_id=1, from_code="gold", to_code="silver", reason=reason)

    rows = [change("joined: 0.00 spent in the last 12 months"),
            change("refund on order SF-000007: 299.50 spent in the last 1 months"),
            change("daily check: 1234.00 spent in the last 12 months; the 30-day grace "
                   "period ended"),
            change("moved by the owner")]
    assert said(app, "en", describe_change, *rows) == [
        "joined: €0.00 spent in the last 12 months",
        "refund on order SF-000007: €299.50 spent in the last month",
        "daily check: €1,234.00 spent in the last 12 months; the 30-day grace period ended",
        "moved by the owner"]
    assert said(app, "es", describe_change, *rows) == [
        "alta en el Club: 0,00\xa0€ gastados en los últimos 12 meses",
        "reembolso del pedido SF-000007: 299,50\xa0€ gastados en el último mes",
        "revisión diaria: 1.234,00\xa0€ gastados en los últimos 12 meses; terminó el periodo de "
        "gracia de 30 días",
        "moved by the owner"]


def test_points_are_counted_as_each_language_writes_numbers(app, shop):
    client, uid = member(app, shop)
    with app.app_context():
        call("points_grant", user_id=uid, points=12500, reason="a large gift",
             key="test:large", actor="staff")
        db.session.commit()
    english = client.get("/account").get_data(as_text=True)
    assert "12,525 points" in english  # with the 25 of the welcome
    history = client.get(HISTORY).get_data(as_text=True)
    assert '<td class="num">+12,500</td>' in history and "12,525" in history
    speaks_spanish(app, uid)
    spanish = client.get("/account").get_data(as_text=True)
    assert "12.525 puntos" in spanish and "12525" not in spanish
    history = client.get(HISTORY).get_data(as_text=True)
    assert '<td class="num">+12.500</td>' in history and "+25<" in history
    staff = staff_client(app, shop, "staff")
    customers = staff.get("/admin/customers", headers={"Accept-Language": "es"})
    assert "12.525 puntos" in customers.get_data(as_text=True)
