"""The points plugin: earn, pending, redeem, reserve, spend, release, reverse, expire."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from loyalty_plugins.points import config, ledger
from loyalty_plugins.points.clock import local_date, utcnow
from loyalty_plugins.points.models import PointsEntry, PointsLot, PointsReversal
from storefront.cli import main
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.orders.service import cancel_order, mark_paid, record_refund
from tests.points_support import (
    balance,
    give,
    last_order_id,
    ledger_matches_cache,
    loyalty_app,
    member,
    redeem,
)
from tests.support.forms import post_form


@pytest.fixture
def app(make_app):
    return loyalty_app(make_app, SHOP_TIMEZONE="Europe/Madrid")


def buy(app, shop, client, sku="EQP-GRD-01", quantity=1, pay=True):
    shop.add(client, sku, quantity)
    response = shop.checkout(client)
    assert response.status_code == 303, response.status_code
    order_id = last_order_id(app)
    if pay:
        with app.app_context():
            assert mark_paid(order_id)
    return order_id


def test_paid_order_earns_pending_points_that_mature(app, shop):
    client, uid = member(app, shop)
    buy(app, shop, client)  # 69.00 -> 69 points at 1 per unit
    assert balance(app, uid) == (0, 69, 0)
    html = client.get("/account").get_data(as_text=True)
    assert 'data-testid="points-pending">69 points' in html
    with app.app_context():
        ledger.mature(utcnow() + timedelta(days=13))
        db.session.commit()
    assert balance(app, uid) == (0, 69, 0)  # the return window is 14 days
    with app.app_context():
        ledger.mature(utcnow() + timedelta(days=15))
        db.session.commit()
    assert balance(app, uid) == (69, 0, 0) and ledger_matches_cache(app, uid)
    assert "Next expiry: <strong>69 points</strong>" in client.get("/account").get_data(True)


def test_paid_reaction_replayed_earns_once(app, shop):
    from loyalty_plugins.points import plugin

    client, uid = member(app, shop)
    order_id = buy(app, shop, client)
    with app.app_context():
        for _ in range(5):
            plugin.shop_order_paid(order_id)
            db.session.commit()
        earned = db.session.scalars(select(PointsEntry).where(PointsEntry.kind == "earn")).all()
    assert len(earned) == 1 and balance(app, uid) == (0, 69, 0)


def test_redeem_part_of_the_balance_at_checkout(app, shop):
    client, uid = member(app, shop)
    give(app, uid, 500, "t1")
    shop.add(client, "EQP-GRD-01")  # 69.00, free shipping
    page = client.get("/checkout").get_data(as_text=True)
    assert "You have <strong>500 points</strong> (€5.00)" in page
    redeem(client, 300)
    page = client.get("/checkout").get_data(as_text=True)
    assert "Paid with 300 points" in page and "€66.00" in page  # preview of the new total
    shop.checkout(client)
    order_id = last_order_id(app)
    assert balance(app, uid) == (200, 0, 300)  # reserved while unpaid
    with app.app_context():
        assert db.session.get(Order, order_id).total == 6600
        mark_paid(order_id)
    assert balance(app, uid) == (200, 66, 0)  # spent; earned on what was paid in money
    assert ledger_matches_cache(app, uid)


def test_the_choice_of_points_ends_with_the_order(app, shop):
    client, uid = member(app, shop)
    give(app, uid, 500, "t1")
    shop.add(client, "EQP-GRD-01")
    redeem(client, 300)
    shop.checkout(client)
    shop.add(client, "EQP-GRD-01")
    page = client.get("/checkout").get_data(as_text=True)
    assert "Paid with" not in page and "You have <strong>200 points</strong>" in page


def test_redemption_limits(app, shop):
    client, uid = member(app, shop)
    give(app, uid, 10_000, "t1")
    shop.add(client, "TEA-SEN-100")  # 14.00 + 4.90
    response = redeem(client, 50)
    assert "at least 100 points" in client.get(response.headers["Location"]).get_data(True)
    redeem(client, action="all")
    page = client.get("/checkout").get_data(as_text=True)
    assert "Paid with 945 points" in page  # 50% of 18.90
    redeem(client, "abc")
    redeem(client, action="remove")
    assert "Paid with" not in client.get("/checkout").get_data(as_text=True)


def test_cancel_returns_points_to_their_original_lots(app, shop):
    client, uid = member(app, shop)
    with app.app_context():
        cfg = config.current()
        old = ledger.grant(uid, 100, "bonus", ledger.Who("old"), cfg,
                           now=utcnow() - timedelta(days=300))
        new = ledger.grant(uid, 100, "bonus", ledger.Who("new"), cfg, now=utcnow())
        db.session.commit()
        old_id, new_id, old_expiry = old.id, new.id, old.expires_at
    shop.add(client, "EQP-GRD-01")
    redeem(client, 150)
    shop.checkout(client)
    order_id = last_order_id(app)
    with app.app_context():
        lots = {lot.id: lot.remaining for lot in db.session.scalars(select(PointsLot))}
        assert lots[old_id] == 0 and lots[new_id] == 50  # oldest first
        assert cancel_order(order_id, "test")
        lots = {lot.id: lot for lot in db.session.scalars(select(PointsLot))}
        assert lots[old_id].remaining == 100 and lots[new_id].remaining == 100
        assert lots[old_id].expires_at == old_expiry
    assert balance(app, uid) == (200, 0, 0) and ledger_matches_cache(app, uid)


def paid_order_with_available_points(app, shop, client, uid):
    order_id = buy(app, shop, client)  # 69.00 -> 69 points
    with app.app_context():
        ledger.mature(utcnow() + timedelta(days=15))
        db.session.commit()
    return order_id


def test_two_partial_refunds_reverse_in_proportion_once_each(app, shop):
    client, uid = member(app, shop)
    order_id = buy(app, shop, client)  # 6900 -> 69 points, pending
    with app.app_context():
        assert record_refund(order_id, "re_1", 2300, "part")  # a third
        assert not record_refund(order_id, "re_1", 2300, "replay")
    assert balance(app, uid) == (0, 46, 0)  # floor(69 * 2300 / 6900) = 23 taken back
    with app.app_context():
        from loyalty_plugins.points import plugin

        plugin.shop_order_refunded(order_id, "re_1", 2300)  # a replayed reaction
        db.session.commit()
        assert record_refund(order_id, "re_2", 4600, "rest")
    assert balance(app, uid) == (0, 0, 0) and ledger_matches_cache(app, uid)


def test_a_refund_gives_back_the_points_paid_on_the_order_in_proportion_once(app, shop):
    client, uid = member(app, shop)
    give(app, uid, 300, key="start")
    shop.add(client, "EQP-GRD-01")  # 69.00
    redeem(client, 150)  # 1.50 off: the order costs 67.50
    shop.checkout(client)
    order_id = last_order_id(app)
    with app.app_context():
        assert mark_paid(order_id)
        assert db.session.get(Order, order_id).total == 6750
    assert balance(app, uid) == (150, 67, 0)
    staff = app.test_client()
    shop.create_user("owner@example.com", role="owner")
    shop.login(staff, "owner@example.com", "correct horse battery")
    page = f"/admin/orders/{order_id}"
    answer = post_form(staff, page, f"{page}/refund", {"amount": "22.50", "reason": "one bag"})
    assert answer.status_code == 303
    # A third of the money: floor(150 * 2250 / 6750) = 50 points back, 22 earned taken back.
    assert balance(app, uid) == (200, 45, 0)
    with app.app_context():
        from loyalty_plugins.points import plugin

        refund_id = db.session.scalars(select(PointsEntry.key).where(
            PointsEntry.kind == "refund")).one().removeprefix("return:")
        plugin.shop_order_refunded(order_id, refund_id, 2250)  # a replayed reaction
        db.session.commit()
    assert balance(app, uid) == (200, 45, 0)
    html = client.get("/plugins/points/history").get_data(as_text=True)
    assert "Returned (order refunded)" in html and "+50" in html
    post_form(staff, page, f"{page}/refund", {"amount": "45.00", "reason": "the rest"})
    assert balance(app, uid) == (300, 0, 0) and ledger_matches_cache(app, uid)
    with app.app_context():
        returned = db.session.scalars(select(PointsEntry.delta).where(
            PointsEntry.kind == "refund").order_by(PointsEntry.id)).all()
    assert returned == [50, 100]  # never more than the 150 spent


def test_rounding_rule_and_spent_points_are_not_taken_twice(app, shop):
    with app.app_context():
        from storefront.plugins.state import save_settings

        save_settings("points", {"min_redeem": "1"})
    client, uid = member(app, shop)
    order_id = paid_order_with_available_points(app, shop, client, uid)
    with app.app_context():
        record_refund(order_id, "re_a", 100, "tiny")  # floor(69 * 100 / 6900) = 1
    assert balance(app, uid) == (68, 0, 0)
    shop.add(client, "TEA-SEN-100")
    shop.add(client, "TEA-ASM-200")
    redeem(client, action="all")
    shop.checkout(client)
    with app.app_context():
        mark_paid(last_order_id(app))
    spent_left = balance(app, uid)[0]
    assert spent_left == 0
    with app.app_context():
        record_refund(order_id, "re_b", 6800, "rest")
        reversal = db.session.get(PointsReversal, "re_b")
        assert (reversal.due, reversal.taken, reversal.forgiven) == (68, 0, 68)
    assert balance(app, uid)[0] == 0 and ledger_matches_cache(app, uid)


def test_expiry_is_fifo_and_only_the_rest_of_a_partly_spent_lot(app, shop):
    client, uid = member(app, shop)
    with app.app_context():
        cfg = config.current()
        start = utcnow() - timedelta(days=400)
        first = ledger.grant(uid, 100, "bonus", ledger.Who("a"), cfg, now=start)
        ledger.grant(uid, 100, "bonus", ledger.Who("b"), cfg, now=utcnow())
        ledger.adjust(uid, -30, ledger.Who("spent some", "staff@x"), cfg,
                      now=start + timedelta(days=1))
        db.session.commit()
        assert first.remaining == 70
        ledger.expire(utcnow())
        db.session.commit()
        expired = db.session.scalar(select(PointsEntry).where(PointsEntry.kind == "expire"))
        assert expired.delta == -70 and expired.lot_id == first.id
    assert balance(app, uid) == (100, 0, 0) and ledger_matches_cache(app, uid)


@pytest.mark.parametrize("local_clock, expired", [("23:59:59", False), ("00:00:00", True)])
def test_expiry_boundary_in_the_shop_time_zone(app, shop, local_clock, expired):
    """Usable from 2026-01-10 (Madrid); 12 months later the day 2027-01-10 begins at
    2027-01-09 23:00 UTC. 23:59:59 Madrid on the 9th keeps them; 00:00 on the 10th not."""

    client, uid = member(app, shop)
    madrid = ZoneInfo("Europe/Madrid")
    earned = datetime(2026, 1, 10, 9, 0, tzinfo=madrid).astimezone(
        ZoneInfo("UTC")).replace(tzinfo=None)
    day = "2027-01-09" if local_clock == "23:59:59" else "2027-01-10"
    moment = datetime.fromisoformat(f"{day}T{local_clock}").replace(tzinfo=madrid).astimezone(
        ZoneInfo("UTC")).replace(tzinfo=None)
    with app.app_context():
        lot = ledger.grant(uid, 80, "bonus", ledger.Who("x"), config.current(), now=earned)
        assert lot.expires_at == datetime(2027, 1, 9, 23, 0)
        ledger.expire(moment)
        db.session.commit()
    assert balance(app, uid)[0] == (0 if expired else 80)


def test_staff_adjust_needs_a_reason_and_staff(app, shop):
    client, uid = member(app, shop)
    assert client.get(f"/plugins/points/staff/{uid}").status_code == 404  # not staff
    shop.create_user("staff@example.com", role="staff")
    staff = app.test_client()
    shop.login(staff, "staff@example.com", "correct horse battery")
    page = f"/plugins/points/staff/{uid}"
    post_form(staff, page, page, {"points": "50", "reason": ""})
    assert balance(app, uid) == (0, 0, 0)
    post_form(staff, page, page, {"points": "50", "reason": "sorry for the delay"})
    response = post_form(staff, page, page, {"points": "-80", "reason": "too much"})
    assert "only 50 points" in staff.get(response.headers["Location"]).get_data(True)
    history = client.get("/plugins/points/history").get_data(as_text=True)
    assert "sorry for the delay" in history and "staff@example.com" in history
    assert "+50" in history


def test_statement_csv_for_a_period(app, shop):
    client, uid = member(app, shop)
    give(app, uid, 120, "t1")
    today = local_date(utcnow(), ZoneInfo("Europe/Madrid")).isoformat()
    response = client.get(f"/plugins/points/statement.csv?start={today}&end={today}")
    assert response.mimetype == "text/csv"
    rows = response.get_data(as_text=True).splitlines()
    assert rows[1].endswith("Opening balance,,,0,,")
    assert "Bonus,120,,120,test bonus,system" in rows[2]
    assert rows[-1].endswith("Closing balance,,,120,,")
    assert client.get("/plugins/points/statement.csv?start=2026-13-01").status_code == 400
    assert app.test_client().get("/plugins/points/statement.csv").status_code == 302


def test_guest_points_are_held_and_claimed_with_a_verified_email(app, shop):
    import re

    guest = app.test_client()
    shop.app = app
    shop.add(guest, "EQP-GRD-01")
    shop.checkout(guest, email="Newbie@Example.com")
    with app.app_context():
        mark_paid(last_order_id(app))
    # An account made before registering needed the mailed link (never confirmed).
    uid = shop.create_user("newbie@example.com", name="Newbie")
    client = app.test_client()
    shop.login(client, "newbie@example.com", "correct horse battery")
    assert balance(app, uid) == (0, 0, 0)  # not before the address is confirmed
    post_form(client, "/account", "/verify-email/resend", {})
    link = re.search(r"http://localhost(/verify-email/\S+)", shop.mails()[-1]).group(1)
    client.get(link)
    assert balance(app, uid) == (0, 69, 0) and ledger_matches_cache(app, uid)


def test_registering_by_the_mailed_link_claims_guest_points_at_once(app, shop):
    guest = app.test_client()
    shop.app = app
    shop.add(guest, "EQP-GRD-01")
    shop.checkout(guest, email="Newbie@Example.com")
    with app.app_context():
        mark_paid(last_order_id(app))
    client, uid = member(app, shop, email="newbie@example.com")  # the link proves the address
    assert balance(app, uid) == (0, 69, 0) and ledger_matches_cache(app, uid)


def test_zero_total_order_earns_nothing_and_is_paid(app, shop):
    app2 = app
    with app2.app_context():
        from storefront.plugins.state import save_settings

        save_settings("points", {"max_share_percent": "100", "min_redeem": "1"})
    client, uid = member(app2, shop)
    give(app2, uid, 10_000, "t1")
    shop.add(client, "TEA-CHA-50")  # 6.50 + 4.90
    redeem(client, action="all")
    response = shop.checkout(client)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Paid" in html and "€0.00" in html
    assert balance(app2, uid) == (10_000 - 1140, 0, 0)


def test_disabled_points_plugin_has_no_effect(app, shop):
    client, uid = member(app, shop)
    give(app, uid, 500, "t1")
    shop.add(client, "EQP-GRD-01")
    redeem(client, 300)
    app.test_cli_runner().invoke(main, ["plugins", "disable", "points"])
    page = client.get("/checkout").get_data(as_text=True)
    assert "Pay with points" not in page and "Paid with 300 points" not in page
    assert "My points" not in client.get("/account").get_data(as_text=True)
    assert client.get("/plugins/points/history").status_code == 404


def test_registration_bonus_through_the_public_api(make_app, shop):
    app = loyalty_app(make_app, settings={"points": {"signup_bonus": "100"}})
    client, uid = member(app, shop)
    assert balance(app, uid) == (100, 0, 0)


def test_admin_customers_list_shows_usable_and_pending_points_and_links_to_them(app, shop):
    client, uid = member(app, shop)
    give(app, uid, 40, "t1")
    buy(app, shop, client)  # 69 points, pending for the return window
    shop.create_user("boss@example.com", role="owner")
    owner = app.test_client()
    shop.login(owner, "boss@example.com", "correct horse battery")
    html = owner.get("/admin/customers").get_data(as_text=True)
    assert (f'href="/plugins/points/staff/{uid}" data-testid="points-{uid}">40 points usable, '
            "69 pending</a>") in html
    assert "Points of Mia" in owner.get(f"/plugins/points/staff/{uid}").get_data(True)


def test_expiry_notice_goes_out_once_before_points_expire(app, shop):
    from loyalty_plugins.points.plugin import send_expiry_notices

    client, uid = member(app, shop)
    with app.app_context():
        ledger.grant(uid, 70, "bonus", ledger.Who("old"), config.current(),
                     now=utcnow() - timedelta(days=350))  # expires in about 15 days
        ledger.grant(uid, 30, "bonus", ledger.Who("new"), config.current(), now=utcnow())
        db.session.commit()
        send_expiry_notices()
        db.session.commit()
        send_expiry_notices()
        db.session.commit()
    notices = [m for m in shop.mails() if "Your points expire soon" in m]
    assert len(notices) == 1 and "70 of your points expire on" in notices[0]
    assert "Your points expire soon" in client.get("/account/messages").get_data(True)


def test_staff_see_points_forgiven_after_a_refund(app, shop):
    with app.app_context():
        from storefront.plugins.state import save_settings

        save_settings("points", {"min_redeem": "1"})
    client, uid = member(app, shop)
    order_id = paid_order_with_available_points(app, shop, client, uid)
    shop.add(client, "TEA-SEN-100")
    redeem(client, action="all")
    shop.checkout(client)
    with app.app_context():
        mark_paid(last_order_id(app))
        record_refund(order_id, "re_full", 6900, "returned")
    shop.create_user("staff@example.com", role="staff")
    staff = app.test_client()
    shop.login(staff, "staff@example.com", "correct horse battery")
    page = staff.get(f"/plugins/points/staff/{uid}").get_data(as_text=True)
    with app.app_context():
        number = db.session.get(Order, order_id).number
    assert f"refund of order {number}:" in page and "69 points could not be taken back" in page
    assert "re_full" not in page  # the payment provider's reference is not the shop's
