"""The referrals plugin: codes and links, the friend's first paid order, its return window,
the referrer's points, and every block with the reason the shopper and staff read."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from hooks import call, money, utcnow
from hooks.testing import flash_messages
from loyalty_plugins.referrals.codes import ALPHABET
from loyalty_plugins.referrals.models import ReferralCode
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.orders.service import mark_paid
from storefront.plugins.state import save_settings
from tests.points_support import last_order_id, member
from tests.referrals_support import (
    ADDRESS,
    code_of,
    enter,
    messages,
    paid_order,
    referral,
    referral_points,
    referrals_app,
    referred,
    refund,
    run_job,
    settle,
)
from tests.support.forms import post_form

SAME_ADDRESS = ("the friend's first order goes to a delivery address the referrer also "
                "uses.")


@pytest.fixture
def app(make_app):
    return referrals_app(make_app)


def staff_view(app, shop, user_id) -> str:
    shop.create_user("staff@example.com", role="staff")
    client = app.test_client()
    shop.login(client, "staff@example.com", "correct horse battery")
    return client.get(f"/admin/customers/{user_id}").get_data(as_text=True)


def later(days: int):
    return time_machine.travel(utcnow() + timedelta(days=days, hours=1), tick=False)


def refused(page) -> str:
    [(category, text)] = flash_messages(page.get_data(as_text=True))
    assert category == "error"
    return text


def test_each_member_has_one_code_and_a_link_that_remembers_it_for_registration(app, shop):
    ana, ana_id = member(app, shop, email="ana@example.com", name="Ana")
    code = code_of(ana)
    assert len(code) == 8 and set(code) <= set(ALPHABET)
    assert code_of(ana) == code  # made once, on the first view
    page = ana.get("/referrals/").get_data(as_text=True)
    assert f"/referrals/r/{code}" in page and "No friend has used your code yet." in page

    guest = app.test_client()
    arrived = guest.get(f"/referrals/r/{code.lower()}")
    assert arrived.status_code == 302
    assert arrived.headers["Location"].startswith("/register?next=")
    shop.register(guest, email="ben@example.com", name="Ben", next_url="/referrals/")
    # After registering (the session starts afresh) the code is still in the form.
    page = guest.get("/referrals/").get_data(as_text=True)
    assert f'name="code" value="{code}"' in page
    done = enter(guest, code)
    assert flash_messages(done.get_data(as_text=True)) == [
        ("success", "Your friend's code is accepted. Welcome!")]
    assert "You joined with the code of Ana: pending: no paid order yet" in done.get_data(
        as_text=True)
    ana_page = ana.get("/referrals/").get_data(as_text=True)
    assert "Ben" in ana_page and "pending: no paid order yet" in ana_page
    with app.app_context():
        assert db.session.scalar(select(ReferralCode.code).where(
            ReferralCode.user_id == ana_id)) == code
    assert "This referral link is not valid" in guest.get(
        "/referrals/r/NOPE2345", follow_redirects=True).get_data(as_text=True)


def test_the_referrer_gets_points_once_the_first_order_passed_the_return_window(app, shop):
    ana, ana_id = member(app, shop, email="ana@example.com", name="Ana")
    ben, ben_id = referred(app, shop, code_of(ana))
    [welcome] = messages(app, ben_id)
    assert welcome.kind == "referrals.referral" and welcome.subject == "Ana invited you: welcome"
    assert "you joined with the code of Ana" in welcome.body
    assert "As their friend, you get 10% off your first order, until" in welcome.body
    shop.add(ben, "EQP-GRD-01")  # the friend's reward, through the rewards plugin
    assert "Referral gift from Ana: 10% off, until" in ben.get("/cart").get_data(as_text=True)
    paid_order(app, shop, ben, "ben@example.com", address="9 Other Road")
    row = referral(app, ben_id)
    assert row.state == "waiting" and row.due_at > utcnow() + timedelta(days=29)
    assert "waiting for the return window until" in ana.get("/referrals/").get_data(
        as_text=True)
    assert settle(app) == 0  # the window is open
    with later(29):
        assert settle(app) == 0
    with later(30):
        run_job(app)
        assert referral(app, ben_id).state == "rewarded"
        assert settle(app) == 0  # the job again: nothing more
    assert referral_points(app, ana_id) == [500]
    [thanks] = messages(app, ana_id)
    assert thanks.subject == "Ben's first order counted: thank you"
    assert "500 points are in your account" in thanks.body
    assert "rewarded: 500 points" in ana.get("/referrals/").get_data(as_text=True)
    history = ana.get("/plugins/points/history").get_data(as_text=True)
    assert "referral: the first order of Ben counted" in history
    ana.post("/language", data={"language": "es"},  # the switcher
             headers={"Origin": "http://localhost"})
    spanish = ana.get("/plugins/points/history").get_data(as_text=True)
    assert "invitación: el primer pedido de Ben cuenta" in spanish
    assert "recompensada: 500 puntos" in ana.get("/referrals/").get_data(as_text=True)


def test_a_refund_before_the_window_closes_reverses_the_referral(app, shop):
    ana, ana_id = member(app, shop, email="ana@example.com", name="Ana")
    ben, ben_id = referred(app, shop, code_of(ana))
    order_id = paid_order(app, shop, ben, "ben@example.com", address="9 Other Road")
    with later(3):
        refund(app, order_id)
    with later(31):
        assert settle(app) == 0
    assert referral(app, ben_id).state == "reversed"
    assert referral_points(app, ana_id) == [] and messages(app, ana_id) == []
    why = "reversed: the friend's first order was refunded within the return window."
    assert why in ana.get("/referrals/").get_data(as_text=True).replace("&#39;", "'")
    assert why in staff_view(app, shop, ana_id).replace("&#39;", "'")


def test_the_friends_reward_follows_the_settings_and_a_blocked_friend_loses_it_unused(
        app, shop):
    with app.app_context():
        save_settings("referrals", {"referee_reward": "amount", "referee_amount": "7.50",
                                    "referee_days": "14"}, actor="test")
    ana, ana_id = member(app, shop, email="ana@example.com", name="Ana")
    paid_order(app, shop, ana, "ana@example.com", address=ADDRESS)
    ben, ben_id = member(app, shop, email="ben@example.com", name="Ben")
    shop.add(ben, "EQP-GRD-01")  # placed before the code was entered, paid after
    shop.checkout(ben, address=ADDRESS)
    order_id = last_order_id(app)
    assert "accepted" in enter(ben, code_of(ana)).get_data(as_text=True)
    with app.app_context():
        [reward] = call("rewards_list", key_prefix=f"referral:{ben_id}")
    assert reward["status"] == "available" and reward["user_id"] == ben_id
    assert timedelta(days=13) < reward["until"] - utcnow() <= timedelta(days=14)
    assert "7.50 off" in ben.get("/account").get_data(as_text=True)  # the rewards panel
    with app.app_context():
        mark_paid(order_id)
        db.session.commit()
    assert referral(app, ben_id).block == "same_address"
    with app.app_context():  # not used on that order: taken back
        assert call("rewards_status", key=f"referral:{ben_id}") == "revoked"


def test_own_code_same_email_and_a_code_after_buying_are_refused_with_why(app, shop):
    ana, ana_id = member(app, shop, email="ana@example.com", name="Ana")
    code = code_of(ana)
    why = refused(enter(ana, code))
    assert why == ("This code cannot be used: this is the referrer's own code: nobody can "
                   "refer themselves.")
    ben, ben_id = member(app, shop, email="ben@example.com", name="Ben")
    paid_order(app, shop, ben, "ben@example.com")
    # The form is gone once a member has bought; a code sent anyway is refused.
    assert 'data-testid="referral-enter"' not in ben.get("/account").get_data(as_text=True)
    assert refused(enter(ben, code)) == (
        "This code cannot be used: the code was entered after a first paid order: referral "
        "codes are for new customers.")
    page = ben.get("/referrals/").get_data(as_text=True).replace("&#39;", "'")
    assert "The code of Ana was not accepted: blocked: the code was entered after" in page
    staff = staff_view(app, shop, ana_id).replace("&#39;", "'")
    assert "blocked: this is the referrer's own code" in staff
    assert "Ben (blocked: the code was entered after a first paid order" in staff
    assert refused(enter(ben, "ZZZZ2345")).startswith(
        "There is no referral code ZZZZ2345")
    till_id = shop.create_user("till@example.com", role="staff")
    till = app.test_client()
    shop.login(till, "till@example.com", "correct horse battery")
    assert refused(enter(till, code)) == "Staff accounts cannot use referral codes."
    uninvolved = till.get(f"/admin/customers/{till_id}").get_data(as_text=True)
    assert 'data-testid="referrals-customer"' not in uninvolved


def test_the_referrers_own_mailbox_under_another_address_is_refused(app, shop):
    ana, ana_id = member(app, shop, email="ana@example.com", name="Ana")
    other, other_id = member(app, shop, email="ana+shop@example.com", name="Ana again")
    assert refused(enter(other, code_of(ana))) == (
        "This code cannot be used: the friend used the referrer's e-mail address.")
    assert "blocked: the friend used the referrer" in staff_view(app, shop, other_id)


def test_a_first_order_to_the_referrers_delivery_address_is_blocked(app, shop):
    ana, ana_id = member(app, shop, email="ana@example.com", name="Ana")
    paid_order(app, shop, ana, "ana@example.com", address=ADDRESS)
    ben, ben_id = referred(app, shop, code_of(ana))
    # Written another way, the same place.
    paid_order(app, shop, ben, "ben@example.com", address="1 MAIN street   springfield.")
    why = SAME_ADDRESS
    row = referral(app, ben_id)
    assert row.state == "blocked"
    with app.app_context():  # the friend's reward went on that order: used, not revoked
        assert call("rewards_status", key=f"referral:{ben_id}") == "used"
    with later(31):
        assert settle(app) == 0
    assert referral_points(app, ana_id) == []
    for page in (ben.get("/referrals/"), ana.get("/referrals/")):
        assert f"blocked: {why}" in page.get_data(as_text=True).replace("&#39;", "'")
    assert f"blocked: {why}" in staff_view(app, shop, ben_id).replace("&#39;", "'")


def test_the_monthly_limit_is_checked_when_entering_and_when_rewarding(app, shop):
    with app.app_context():
        save_settings("referrals", {"monthly_limit": "1"}, actor="test")
    ana, ana_id = member(app, shop, email="ana@example.com", name="Ana")
    code = code_of(ana)
    ben, ben_id = referred(app, shop, code)
    cleo, cleo_id = referred(app, shop, code, email="cleo@example.com", name="Cleo")
    paid_order(app, shop, ben, "ben@example.com", address="9 Other Road")
    paid_order(app, shop, cleo, "cleo@example.com", address="10 Other Road")
    with later(30):
        assert settle(app) == 1
        dan, _ = member(app, shop, email="dan@example.com", name="Dan")
        assert refused(enter(dan, code)) == (
            "This code cannot be used: the referrer has reached this month's limit of "
            "referral rewards.")
    states = sorted([referral(app, ben_id).state, referral(app, cleo_id).state])
    assert states == ["blocked", "rewarded"]
    assert referral_points(app, ana_id) == [500]
    page = ana.get("/referrals/").get_data(as_text=True).replace("&#39;", "'")
    assert "blocked: the referrer has reached this month's limit" in page


def test_owner_sees_referrals_per_member_and_previews_the_messages(app, shop):
    ana, ana_id = member(app, shop, email="ana@example.com", name="Ana")
    ben, _ = referred(app, shop, code_of(ana))
    order_id = paid_order(app, shop, ben, "ben@example.com", address="9 Other Road")
    enter(ana, code_of(ana))  # refused: her own
    with later(31):
        settle(app)
    shop.create_user("owner@example.com", role="owner", name="Olivia")
    owner = app.test_client()
    shop.login(owner, "owner@example.com", "correct horse battery")
    page = owner.get("/referrals/owner").get_data(as_text=True)
    with app.test_request_context():
        total = money(db.session.get(Order, order_id).total)
    row = page.split(f'href="/admin/customers/{ana_id}">Ana</a>', 1)[1].split("</tr>")[0]
    cells = [cell.split("</td>")[0] for cell in row.split("<td>")[1:]]
    assert cells == ["1", "1", "0", "1", total], cells
    preview = owner.get("/referrals/preview").get_data(as_text=True)
    assert "Hello Olivia," in preview and "Hola, Olivia:" in preview
    assert "500 points are in your account" in preview
    assert member(app, shop, email="eve@example.com", name="Eve")[0].get(
        "/referrals/owner").status_code == 404


def test_the_demo_member_has_a_pending_referral(app, shop):
    from storefront.demo import add_demo_referral, ensure_demo_accounts

    with app.app_context():
        ensure_demo_accounts()
        add_demo_referral()
        add_demo_referral()  # the demo started again
    mia = app.test_client()
    shop.login(mia, "member@demo.shop", "member-demo-pass")
    page = mia.get("/referrals/").get_data(as_text=True)
    assert "Felix Friend" in page and "pending: no paid order yet" in page
    assert page.count("Felix Friend") == 1


def test_a_new_member_enters_the_code_at_checkout_and_gets_the_reward_there(app, shop):
    ana, _ = member(app, shop, email="ana@example.com", name="Ana")
    ben, _ = member(app, shop, email="ben@example.com", name="Ben")
    shop.add(ben, "EQP-GRD-01")
    assert 'data-testid="referral-enter"' in ben.get("/checkout").get_data(as_text=True)
    answer = post_form(ben, "/checkout", "/referrals/enter",
                       {"code": code_of(ana).lower(), "next": "/checkout"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/checkout"
    page = ben.get("/checkout").get_data(as_text=True)
    assert "Referral gift from Ana: 10% off, until" in page
    assert 'data-testid="referral-enter"' not in page  # once only
