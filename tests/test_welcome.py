"""The welcome plugin: a message and a joining gift once per e-mail address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from hooks import utcnow
from loyalty_plugins.points.models import PointsEntry
from loyalty_plugins.rewards import service as rewards_service
from loyalty_plugins.rewards.models import Reward
from loyalty_plugins.welcome import service
from loyalty_plugins.welcome.models import Welcome, WelcomedAddress
from storefront.accounts.models import User
from storefront.accounts.service import mark_verified
from storefront.events.delivery import handle
from storefront.events.models import DomainEvent
from storefront.extensions import db
from storefront.notifications.models import Notification
from storefront.orders.service import cancel_order, mark_paid
from storefront.plugins.state import save_settings, set_enabled
from tests.points_support import PASSWORD, balance, last_order_id, loyalty_app, member
from tests.support.forms import post_form

REWARD = {"gift": "reward", "reward": "percent", "reward_percent": "10", "reward_days": "30"}


@pytest.fixture
def app(make_app):
    return loyalty_app(make_app, plugins=("points", "welcome", "rewards"))


def welcome_messages(app, user_id=None):
    with app.app_context():
        query = select(Notification).where(Notification.plugin == "welcome")
        if user_id is not None:
            query = query.where(Notification.user_id == user_id)
        rows = db.session.scalars(query.order_by(Notification.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def welcome_points(app, user_id):
    with app.app_context():
        return db.session.scalars(select(PointsEntry.delta).where(
            PointsEntry.user_id == user_id, PointsEntry.key.startswith("welcome:"))).all()


def reward(app, user_id):
    """The member's welcome reward as the rewards plugin keeps it: (status, order id)."""
    with app.app_context():
        row = db.session.scalar(select(Reward).where(Reward.key == f"welcome:{user_id}"))
        return rewards_service.status(row, utcnow()), row.order_id


def record(app, user_id):
    with app.app_context():
        row = db.session.get(Welcome, user_id)
        if row is not None:
            db.session.expunge(row)
        return row


def configure(app, **values):
    with app.app_context():
        save_settings("welcome", values, actor="test")


def account_events(user_id):
    return db.session.scalars(select(DomainEvent).where(
        DomainEvent.aggregate_type == "customer", DomainEvent.aggregate_id == str(user_id))
        .order_by(DomainEvent.id)).all()


def redeliver(app, user_id):
    """The worker handing the plugin the account's events once more, as a delivery that
    comes again would (events are delivered at least once)."""
    with app.app_context():
        for event in account_events(user_id):
            handle("welcome", event)
        db.session.commit()


def staff_client(app, shop, role):
    shop.create_user(f"{role}@example.com", role=role)
    client = app.test_client()
    shop.login(client, f"{role}@example.com", "correct horse battery")
    return client


def test_gift_and_message_once_on_confirmation(app, shop):
    client, uid = member(app, shop)
    [message] = welcome_messages(app, uid)
    assert message.subject == "Welcome to the club" and message.kind == "marketing"
    assert "Hello Mia," in message.body and "welcome to the club!" in message.body
    assert "100 points are already in your account" in message.body
    assert welcome_points(app, uid) == [100] and balance(app, uid)[0] == 100
    history = client.get("/plugins/points/history").get_data(as_text=True)
    assert "welcome to the club" in history  # the reason the member reads in their ledger
    redeliver(app, uid)
    assert len(welcome_messages(app, uid)) == 1 and welcome_points(app, uid) == [100]
    assert any("Subject: Welcome to the club" in mail for mail in shop.mails())


def test_on_registration_setting(app, shop):
    configure(app, when="registration")
    _, uid = member(app, shop)  # registering by the mailed link: registered, then verified
    assert len(welcome_messages(app, uid)) == 1 and welcome_points(app, uid) == [100]
    # An account staff created is never "registered": when it is verified (a password
    # reset) it is not welcomed under this setting...
    staff_made = shop.create_user("walk-in@example.com", name="Walk-in")
    verify(app, staff_made)
    assert welcome_messages(app, staff_made) == []
    # ... and it is under the default one; staff accounts never are (not club members).
    configure(app, when="confirmation")
    other = shop.create_user("phone@example.com", name="Phone")
    verify(app, other)
    assert len(welcome_messages(app, other)) == 1 and welcome_points(app, other) == [100]
    colleague = shop.create_user("till@example.com", role="staff")
    verify(app, colleague)
    assert welcome_messages(app, colleague) == [] and record(app, colleague) is None


def verify(app, user_id):
    """The account's owner proves the address (the verification link, a password reset)."""
    with app.app_context():
        mark_verified(db.session.get(User, user_id))
        db.session.commit()


def test_a_member_who_stopped_offers_gets_the_gift_without_the_message(app, shop):
    uid = shop.create_user("quiet@example.com", name="Quiet")
    with app.app_context():
        db.session.execute(update(User).where(User.id == uid).values(marketing_opt_out=True))
        db.session.commit()
    verify(app, uid)
    [message] = welcome_messages(app, uid)
    assert message.status == "suppressed"  # listed in their messages as not sent
    assert welcome_points(app, uid) == [100]
    assert not any("quiet@example.com" in mail for mail in shop.mails())


def test_a_recreated_account_with_the_same_address_gets_nothing(app, shop):
    _, first = member(app, shop, email="ana@example.com", name="Ana")
    with app.app_context():  # the account is closed: its address is free again
        db.session.execute(update(User).where(User.id == first)
                           .values(email=f"closed-{first}@example.invalid"))
        db.session.commit()
    shop.register(app.test_client(), email="Ana@Example.COM", name="Ana again")
    with app.app_context():
        second = db.session.scalar(select(User.id).where(User.email == "ana@example.com"))
    assert second != first
    assert welcome_messages(app, second) == [] and welcome_points(app, second) == []
    assert record(app, second).outcome == "address_used"
    with app.app_context():  # only a hash of the address is kept
        [kept] = db.session.scalars(select(WelcomedAddress)).all()
        assert kept.address_hash == service.address_hash("ana@example.com")
        assert "ana" not in kept.address_hash
    owner = staff_client(app, shop, "owner")
    page = owner.get(f"/admin/customers/{second}").get_data(as_text=True)
    assert "this address was welcomed before, on another account" in page
    assert "Welcomed: 100 points" in owner.get(f"/admin/customers/{first}").get_data(
        as_text=True)


def test_reward_applies_once_shown_in_cart_consumed_when_paid_back_if_cancelled(app, shop):
    configure(app, **REWARD)
    client, uid = member(app, shop)
    [message] = welcome_messages(app, uid)
    assert "you get 10% off your next order, until" in message.body
    assert "Welcome gift: 10% off your next order, until" in client.get(
        "/account").get_data(as_text=True)
    shop.add(client, "EQP-GRD-01")  # 69.00
    cart = client.get("/cart").get_data(as_text=True)
    assert "Welcome gift: 10% off, until" in cart and "6.90" in cart
    shop.checkout(client, email="mia@example.com")
    order_id = last_order_id(app)
    with app.app_context():
        from storefront.orders.models import Order

        assert db.session.get(Order, order_id).discount_total == 690
    assert reward(app, uid)[0] == "reserved"
    assert "is held for order" in client.get("/account").get_data(as_text=True)
    shop.add(client, "EQP-GRD-01")
    assert "Welcome gift" not in client.get("/cart").get_data(as_text=True)  # held
    with app.app_context():
        cancel_order(order_id, "test")
        db.session.commit()
    assert reward(app, uid)[0] == "available"
    assert "Welcome gift: 10% off" in client.get("/cart").get_data(as_text=True)  # back
    shop.checkout(client, email="mia@example.com")
    with app.app_context():
        mark_paid(last_order_id(app))
        db.session.commit()
    assert reward(app, uid)[0] == "used"
    shop.add(client, "EQP-GRD-01")
    assert "Welcome gift" not in client.get("/cart").get_data(as_text=True)
    assert "welcome gift" not in client.get("/account").get_data(as_text=True).lower()


def test_an_order_cancelled_while_the_plugin_was_off_gives_the_reward_back(app, shop):
    configure(app, **REWARD)
    client, uid = member(app, shop)
    shop.add(client, "EQP-GRD-01")
    shop.checkout(client, email="mia@example.com")
    with app.app_context():
        set_enabled("rewards", False, actor="test")
        cancel_order(last_order_id(app), "test")  # the plugin never hears of it
        db.session.commit()
        set_enabled("rewards", True, actor="test")
    assert reward(app, uid)[0] == "available"  # read from the cancelled order
    shop.add(client, "EQP-GRD-01")
    assert "Welcome gift: 10% off" in client.get("/cart").get_data(as_text=True)
    assert "Welcome gift: 10% off your next order" in client.get("/account").get_data(as_text=True)
    assert shop.checkout(client, email="mia@example.com").status_code == 303  # placed
    assert reward(app, uid) == ("reserved", last_order_id(app))


def test_an_order_paid_while_the_plugin_was_off_used_the_reward(app, shop):
    configure(app, **REWARD)
    client, uid = member(app, shop)
    shop.add(client, "EQP-GRD-01")
    shop.checkout(client, email="mia@example.com")
    with app.app_context():
        set_enabled("rewards", False, actor="test")
        mark_paid(last_order_id(app))  # the plugin never hears of it
        db.session.commit()
        set_enabled("rewards", True, actor="test")
    assert reward(app, uid)[0] == "used"  # read from the paid order
    assert "welcome gift" not in client.get("/account").get_data(as_text=True).lower()
    shop.add(client, "EQP-GRD-01")
    assert "Welcome gift" not in client.get("/cart").get_data(as_text=True)
    staff = staff_client(app, shop, "staff")
    page = staff.get(f"/admin/customers/{uid}").get_data(as_text=True)
    assert "Welcomed: 10% off the next order (used)" in page


def test_expired_reward_is_not_applied(app, shop):
    configure(app, gift="reward", reward="amount", reward_amount="5.00", reward_days="7")
    client, uid = member(app, shop)
    shop.add(client, "EQP-GRD-01")
    assert "Welcome gift: €5.00 off" in client.get("/cart").get_data(as_text=True)
    with app.app_context():
        db.session.execute(update(Reward).values(
            until=utcnow() - timedelta(minutes=1)))
        db.session.commit()
    assert "Welcome gift" not in client.get("/cart").get_data(as_text=True)
    assert "welcome gift" not in client.get("/account").get_data(as_text=True).lower()


def test_points_plugin_off_sends_the_message_alone(app, shop):
    with app.app_context():
        set_enabled("points", False, actor="test")
    owner = staff_client(app, shop, "owner")
    assert "the points plugin is off" in owner.get("/plugins/welcome/preview").get_data(
        as_text=True)
    _, uid = member(app, shop)
    [message] = welcome_messages(app, uid)
    assert "welcome to the club!" in message.body and "point" not in message.body
    row = record(app, uid)
    assert row.gift == "none" and row.note == service.POINTS_OFF
    assert "message only, the points plugin was off" in owner.get(
        f"/admin/customers/{uid}").get_data(as_text=True)


def test_preview_in_both_languages_for_the_owner_only(app, shop):
    configure(app, subject="Hello from the roastery", text="Thanks for joining us.", **REWARD)
    owner = staff_client(app, shop, "owner")
    page = owner.get("/plugins/welcome/preview").get_data(as_text=True)
    assert "Hello from the roastery" in page and "Thanks for joining us." in page
    assert "you get 10% off your next order" in page
    assert "obtienes un 10" in page  # the Spanish version, with the owner's own words
    for role in ("staff", "manager", "customer"):
        assert staff_client(app, shop, role).get("/plugins/welcome/preview").status_code == 404
    assert app.test_client().get("/plugins/welcome/preview").status_code == 404
    assert welcome_messages(app) == []  # the preview sends nothing


def test_preview_of_the_default_message_is_the_one_in_the_owner_guide(app, shop):
    owner = staff_client(app, shop, "owner")
    page = owner.get("/plugins/welcome/preview").get_data(as_text=True)
    assert "As a joining gift, 100 points are already in your account, ready to use." in page
    assert "Como regalo de bienvenida, ya tienes 100 puntos en tu cuenta, listos para usar." in page
    assert "Welcome to the club" in page and "Bienvenido al club" in page


def test_spanish_member_gets_spanish_message_and_texts(app, shop):
    configure(app, **REWARD)
    client = app.test_client()
    post_form(client, "/register", "/register", {
        "name": "Lucía", "email": "lucia@example.com", "password": PASSWORD,
        "confirm": PASSWORD})
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"  # opens the link in Spanish
    client.get(shop.link("lucia@example.com", "/register/finish/"))
    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == "lucia@example.com"))
    [message] = welcome_messages(app, uid)
    assert message.subject == "Bienvenido al club"
    assert "Hola, Lucía:" in message.body and "obtienes un 10" in message.body
    shop.add(client, "EQP-GRD-01")
    assert "Regalo de bienvenida" in client.get("/cart").get_data(as_text=True)
    assert "Regalo de bienvenida: un 10 % de descuento en tu próximo pedido" in client.get(
        "/account").get_data(as_text=True)


def test_two_checkouts_cannot_both_use_the_reward(app, shop):
    configure(app, **REWARD)
    client, uid = member(app, shop)
    shop.add(client, "EQP-GRD-01")
    fields = shop.checkout_fields(client)  # priced with the gift
    with app.app_context():  # meanwhile, another order took it
        taken = db.session.scalar(select(Reward.id).where(Reward.user_id == uid))
        assert rewards_service.reserve(taken, uid, 999999, utcnow())
        db.session.commit()
    answer = client.post("/checkout", data={**fields, "email": "mia@example.com", "name": "Mia",
                                            "address": "1 Main Street"}, follow_redirects=True)
    # Refused: the price the shopper confirmed held the gift (and, had the other order taken
    # it between pricing and placing, the reservation would refuse it).
    assert "Prices changed" in answer.get_data(as_text=True) and last_order_id(app) is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(
            select(Reward).where(Reward.status == "reserved").subquery())) == 1
