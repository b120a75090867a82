"""The birthdays plugin: the member's birthday on the account page, with its changes audited;
greetings on the birthday and the membership anniversary, on the shop's date, once a year."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from sqlalchemy import or_, select

from loyalty_plugins.birthdays.models import BirthdayChange
from loyalty_plugins.points.models import PointsEntry
from storefront.extensions import db
from storefront.plugins.state import save_settings, set_enabled
from tests.birthdays_support import (
    give_birthday,
    greetings,
    joined_at,
    messages,
    run_job_at,
)
from tests.points_support import balance, loyalty_app, member

PASSWORD = "correct horse battery"


@pytest.fixture
def app(make_app):
    return loyalty_app(make_app, plugins=("points", "birthdays"),
                       SHOP_TIMEZONE="Europe/Madrid")


def configure(app, **values):
    with app.app_context():
        save_settings("birthdays", values, actor="test")


def birthday_points(app, user_id) -> list[tuple[int, str]]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(PointsEntry.delta, PointsEntry.reason).where(
                PointsEntry.user_id == user_id,
                or_(PointsEntry.key.startswith("birthday:"),
                    PointsEntry.key.startswith("anniversary:"))).order_by(PointsEntry.id))]


def staff_client(app, shop, role):
    shop.create_user(f"{role}@example.com", role=role, name=role.title())
    client = app.test_client()
    shop.login(client, f"{role}@example.com", PASSWORD)
    return client


@pytest.mark.parametrize("fields, error", [
    ({"day": 14}, "Give both the day and the month of your birthday."),
    ({"month": 3}, "Give both the day and the month of your birthday."),
    ({"day": 31, "month": 4}, "April has no day 31."),
    ({"day": 30, "month": 2}, "February has no day 30."),
    ({"day": 29, "month": 2, "year": 2023}, "2023 was not a leap year: it had no 29 February."),
    ({"day": 1, "month": 1, "year": "19x0"}, "The year must be a number such as 1990"),
    ({"day": 1, "month": 1, "year": 1800}, "The year must be between"),
    ({"day": 1, "month": 13}, "The month must be between 1 and 12."),
])
def test_a_birthday_that_is_not_one_is_refused_with_why(app, shop, fields, error):
    client, uid = member(app, shop)
    page = give_birthday(client, **fields).get_data(as_text=True)
    assert error in page.split('data-testid="birthday-error">')[1].split("</p>")[0]
    if "year" in fields:  # what the member typed stays in the form
        assert f'value="{fields["year"]}" aria-invalid="true"' in page
    with app.app_context():
        assert db.session.scalars(select(BirthdayChange)).all() == []


def test_member_gives_changes_and_removes_the_birthday_and_staff_see_every_change(app, shop):
    client, uid = member(app, shop)
    account = client.get("/account").get_data(as_text=True)
    assert "Tell us your birthday" in account
    page = give_birthday(client, day=29, month=2).get_data(as_text=True)  # no year
    assert "Your birthday is saved: February 29." in page
    assert "Your birthday: February 29." in page
    page = give_birthday(client, day=29, month=2, year=2004).get_data(as_text=True)
    assert "Your birthday is saved: February 29, 2004." in page
    give_birthday(client, day=29, month=2, year=2004)  # the same again: no change recorded
    page = client.post("/plugins/birthdays/birthday", data={"action": "remove"})
    assert page.status_code == 400  # no CSRF token: refused like any form
    from tests.support.forms import post_form

    page = post_form(client, "/account", "/plugins/birthdays/birthday", {"action": "remove"},
                     follow_redirects=True).get_data(as_text=True)
    assert "Your birthday was removed." in page and "Tell us your birthday" in page
    with app.app_context():
        rows = db.session.execute(select(BirthdayChange.user_id, BirthdayChange.old_value,
                                         BirthdayChange.new_value, BirthdayChange.changed_by)
                                  .order_by(BirthdayChange.id)).all()
    assert [tuple(row) for row in rows] == [
        (uid, "", "--02-29", "mia@example.com"),
        (uid, "--02-29", "2004-02-29", "mia@example.com"),
        (uid, "2004-02-29", "", "mia@example.com")]
    staff = staff_client(app, shop, "staff").get(f"/admin/customers/{uid}")
    text = staff.get_data(as_text=True)
    assert "3 changes to the birthday" in text and "Birthday: none" in text
    assert "February 29, 2004" in text


def test_staff_and_guests_get_no_birthday_form(app, shop):
    assert "birthday" not in app.test_client().get("/account",
                                                   follow_redirects=True).get_data(True)
    assert "Your birthday" not in staff_client(app, shop, "staff").get(
        "/account").get_data(as_text=True)


def test_greeted_on_the_shops_date_not_the_day_before_once_with_the_points(app, shop):
    client, uid = member(app, shop)
    give_birthday(client, day=15, month=1, year=1990)
    run_job_at(app, datetime(2027, 1, 14, 23, 30), "Europe/Madrid")  # still the 14th there
    run_job_at(app, datetime(2027, 1, 14, 22, 30))  # 23:30 in Madrid (UTC+1)
    assert greetings(app, uid) == []
    run_job_at(app, datetime(2027, 1, 14, 23, 30))  # 00:30 on the 15th in Madrid
    run_job_at(app, datetime(2027, 1, 15, 9, 0), "Europe/Madrid")  # the job again
    run_job_at(app, datetime(2027, 1, 15, 23, 0), "Europe/Madrid")
    assert greetings(app, uid) == [("birthday", 2027, "2027-01-15")]
    [(subject, body)] = messages(app, uid)
    assert subject == "Happy birthday!"
    assert "Happy birthday, Mia!" in body and "Everyone at the club wishes you" in body
    assert "As a birthday gift, 100 points are already in your account" in body
    assert birthday_points(app, uid) == [(100, "Birthday gift 2027")]
    assert balance(app, uid)[0] == 100
    history = client.get("/plugins/points/history").get_data(as_text=True)
    assert "Birthday gift 2027" in history  # the reason the member reads
    owner = staff_client(app, shop, "staff").get(f"/admin/customers/{uid}").get_data(True)
    assert "Greetings sent: birthday 2027 (100 points)" in " ".join(owner.split())
    run_job_at(app, datetime(2028, 1, 15, 12, 0), "Europe/Madrid")  # next year: again
    assert [year for _, year, _ in greetings(app, uid)] == [2027, 2028]
    assert birthday_points(app, uid) == [(100, "Birthday gift 2027"),
                                         (100, "Birthday gift 2028")]


@pytest.mark.parametrize("year, early, day", [(2027, "2027-02-27", "2027-02-28"),
                                              (2028, "2028-02-28", "2028-02-29")])
def test_born_on_29_february_greeted_on_28_february_in_other_years(app, shop, year, early,
                                                                   day):
    client, uid = member(app, shop)
    give_birthday(client, day=29, month=2)
    run_job_at(app, datetime.fromisoformat(early).replace(hour=12), "Europe/Madrid")
    assert greetings(app, uid) == []
    run_job_at(app, datetime.fromisoformat(day).replace(hour=12), "Europe/Madrid")
    run_job_at(app, datetime(year, 3, 1, 12), "Europe/Madrid")
    assert greetings(app, uid) == [("birthday", year, day)]


def test_a_day_missed_is_greeted_late_within_the_setting_never_for_last_year(app, shop):
    client, uid = member(app, shop, email="ana@example.com", name="Ana")
    give_birthday(client, day=3, month=6)
    configure(app, late_days="5")
    run_job_at(app, datetime(2027, 6, 9, 12), "Europe/Madrid")  # 6 days late: too late
    assert greetings(app, uid) == []
    other, late = member(app, shop, email="leo@example.com", name="Leo")
    give_birthday(other, day=4, month=6)
    run_job_at(app, datetime(2027, 6, 9, 12), "Europe/Madrid")  # 5 days late
    assert greetings(app, late) == [("birthday", 2027, "2027-06-04")]
    third, new_year = member(app, shop, email="eve@example.com", name="Eve")
    give_birthday(third, day=31, month=12)
    run_job_at(app, datetime(2028, 1, 2, 12), "Europe/Madrid")  # 2027's passed: not now
    assert greetings(app, new_year) == []


def test_a_birthday_given_after_its_day_waits_for_next_year(app, shop):
    client, uid = member(app, shop)
    with time_machine.travel(datetime(2027, 5, 12, 10), tick=False):
        shop.login(client, "mia@example.com", PASSWORD)
        give_birthday(client, day=10, month=5)  # two days after it
    run_job_at(app, datetime(2027, 5, 12, 12), "Europe/Madrid")
    assert greetings(app, uid) == []


def test_anniversary_of_the_join_date_in_the_shops_time_zone(app, shop):
    _, uid = member(app, shop)
    joined_at(app, uid, datetime(2024, 2, 28, 23, 30))  # 29 February 2024, 00:30 in Madrid
    run_job_at(app, datetime(2024, 2, 29, 12), "Europe/Madrid")  # the year they joined
    run_job_at(app, datetime(2025, 2, 27, 12), "Europe/Madrid")
    assert greetings(app, uid) == []
    run_job_at(app, datetime(2025, 2, 28, 12), "Europe/Madrid")
    run_job_at(app, datetime(2025, 2, 28, 13), "Europe/Madrid")
    assert greetings(app, uid) == [("anniversary", 2025, "2025-02-28")]
    [(subject, body)] = messages(app, uid)
    assert subject == "Happy anniversary with us!"
    assert "today it is 1 year since you joined the club." in body
    run_job_at(app, datetime(2027, 2, 28, 12), "Europe/Madrid")
    assert "today it is 3 years since you joined" in messages(app, uid)[-1][1]
    assert birthday_points(app, uid) == [(100, "Anniversary gift 2025"),
                                         (100, "Anniversary gift 2027")]


def test_settings_switch_greetings_and_gifts(app, shop):
    client, uid = member(app, shop)
    give_birthday(client, day=1, month=7)
    joined_at(app, uid, datetime(2025, 7, 1, 9))
    configure(app, anniversary="false", gift="none",
              birthday_text="Our shop turns your day into a party.")
    run_job_at(app, datetime(2027, 7, 1, 12), "Europe/Madrid")
    assert greetings(app, uid) == [("birthday", 2027, "2027-07-01")]
    [(_, body)] = messages(app, uid)
    assert "Our shop turns your day into a party." in body and "gift" not in body
    assert birthday_points(app, uid) == []
    configure(app, birthday="false", anniversary="true", gift="points", points="250")
    with app.app_context():
        set_enabled("points", False, actor="test")  # no points without their plugin
    run_job_at(app, datetime(2028, 7, 1, 12), "Europe/Madrid")
    assert greetings(app, uid) == [("birthday", 2027, "2027-07-01"),
                                   ("anniversary", 2028, "2028-07-01")]
    assert "points" not in messages(app, uid)[-1][1]


def test_staff_are_not_greeted_and_spanish_members_read_spanish(app, shop):
    colleague = shop.create_user("till@example.com", role="staff")
    joined_at(app, colleague, datetime(2025, 9, 1, 9))
    client, uid = member(app, shop)
    client.post("/language", data={"language": "es"})
    give_birthday(client, day=1, month=9)
    with app.app_context():
        from storefront.accounts.models import User

        db.session.get(User, uid).language = "es"
        db.session.commit()
    run_job_at(app, datetime(2027, 9, 1, 12), "Europe/Madrid")
    assert greetings(app, colleague) == []
    [(subject, body)] = messages(app, uid)
    assert subject == "¡Feliz cumpleaños!" and "¡Feliz cumpleaños, Mia!" in body
    assert "Regalo de cumpleaños 2027" in client.get(
        "/plugins/points/history").get_data(as_text=True)


def test_owner_previews_both_messages_in_every_language(app, shop):
    owner = staff_client(app, shop, "owner")
    page = owner.get("/plugins/birthdays/preview").get_data(as_text=True)
    assert "Happy birthday, Owner!" in page and "¡Feliz cumpleaños, Owner!" in page
    assert "today it is 3 years since you joined the club." in page
    assert "As a birthday gift, 100 points are already in your account" in page
    configure(app, gift="reward")  # the rewards plugin is not installed here
    page = owner.get("/plugins/birthdays/preview").get_data(as_text=True)
    assert "members get the message without a gift" in page
    for role in ("manager", "staff"):
        assert staff_client(app, shop, role).get("/plugins/birthdays/preview").status_code == 404
    assert greetings(app) == [] and messages(app, None) == []


def test_a_reward_gift_through_the_rewards_plugin_once_applied_at_checkout(make_app, shop):
    app = loyalty_app(make_app, plugins=("rewards", "birthdays"),
                      settings={"birthdays": {"gift": "reward", "reward": "percent",
                                              "reward_percent": "10", "reward_days": "30"}},
                      SHOP_TIMEZONE="Europe/Madrid")
    client, uid = member(app, shop)
    give_birthday(client, day=2, month=3)
    run_job_at(app, datetime(2027, 3, 2, 9), "Europe/Madrid")
    run_job_at(app, datetime(2027, 3, 2, 10), "Europe/Madrid")
    [(_, body)] = messages(app, uid)
    assert "As a birthday gift, you get 10% off your next order, until April 1, 2027." in body
    with app.app_context():
        from hooks import call

        assert call("rewards_status", key=f"birthday:{uid}:2027") == "available"
        assert [row["key"] for row in call("rewards_list", key_prefix="birthday:")] == [
            f"birthday:{uid}:2027"]
    with time_machine.travel(datetime(2027, 3, 3, 10), tick=False):
        shop.login(client, "mia@example.com", PASSWORD)
        shop.add(client, "EQP-GRD-01")  # 69.00
        cart = client.get("/cart").get_data(as_text=True)
    assert "Birthday gift 2027: 10% off" in cart and "6.90" in cart
    staff = staff_client(app, shop, "staff").get(f"/admin/customers/{uid}").get_data(True)
    assert "Greetings sent: birthday 2027 (a reward, not used yet)" in " ".join(staff.split())


def test_a_member_who_stopped_offers_gets_the_gift_without_the_message(make_app, shop):
    app = loyalty_app(make_app, plugins=("rewards", "birthdays"),
                      settings={"birthdays": {"gift": "reward"}})
    client, uid = member(app, shop)
    give_birthday(client, day=8, month=8)
    with app.app_context():
        from storefront.accounts.models import User

        user = db.session.get(User, uid)
        user.marketing_opt_out, user.language = True, "es"
        db.session.commit()
    run_job_at(app, datetime(2027, 8, 8, 12))
    with app.app_context():
        from storefront.notifications.models import Notification

        [status] = db.session.scalars(select(Notification.status).where(
            Notification.user_id == uid)).all()
    assert status == "suppressed"  # listed in their messages as not sent
    assert not any("cumplea" in mail or "birthday" in mail for mail in shop.mails())
    with time_machine.travel(datetime(2027, 8, 9, 10), tick=False):
        shop.login(client, "mia@example.com", PASSWORD)
        account = client.get("/account").get_data(as_text=True)
    assert "Regalo de cumpleaños 2027" in account  # the reward's label, in their language


def test_a_member_who_stopped_greetings_gets_the_gift_and_news_still(app, shop):
    from tests.test_message_kinds import preferences

    client, uid = member(app, shop)
    give_birthday(client, day=9, month=9)
    page = client.get("/account/preferences").get_data(as_text=True)
    assert "Birthday and anniversary greetings" in page
    preferences(client, **{"Send me news, offers and invitations": True,
                           "Birthday and anniversary greetings": False})
    run_job_at(app, datetime(2027, 9, 9, 12), "Europe/Madrid")
    with app.app_context():
        from storefront.notifications.models import Notification

        [(kind, status)] = db.session.execute(select(Notification.kind, Notification.status)
                                              .where(Notification.user_id == uid,
                                                     Notification.plugin == "birthdays"))
    assert (kind, status) == ("birthdays.greetings", "suppressed")
    assert birthday_points(app, uid) == [(100, "Birthday gift 2027")]
