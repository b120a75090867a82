"""Register, log in, log out, reset a forgotten password."""

import re
from datetime import timedelta

from sqlalchemy import select, update

from storefront.accounts.models import PasswordResetToken, User
from storefront.extensions import db
from tests.support.forms import post_form

PASSWORD = "correct horse battery"


def test_register_logs_in_and_shows_account(client, shop):
    response = shop.register(client, email="Ana@Example.com", name="Ana")
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    assert "Hello, Ana" in client.get("/account").get_data(as_text=True)


def test_register_rejects_duplicate_email_and_short_password(app, client, shop):
    shop.create_user("ana@example.com")
    html = shop.register(client, email="ANA@example.com").get_data(as_text=True)
    assert "already exists" in html
    html = shop.register(client, email="bob@example.com", password="short").get_data(as_text=True)
    assert "at least 10 characters" in html
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "bob@example.com")) is None


def test_login_wrong_password_and_unknown_user_look_the_same(client, shop):
    shop.create_user("ana@example.com")
    wrong = shop.login(client, "ana@example.com", "wrong password!")
    unknown = shop.login(client, "nobody@example.com", "wrong password!")
    assert wrong.status_code == unknown.status_code == 401
    assert "Email or password is wrong." in wrong.get_data(as_text=True)
    assert "Email or password is wrong." in unknown.get_data(as_text=True)


def test_login_and_logout(client, shop):
    shop.create_user("ana@example.com", name="Ana")
    assert shop.login(client, "ana@example.com", PASSWORD).headers["Location"] == "/account"
    assert client.get("/account").status_code == 200
    post_form(client, "/account", "/logout", {})
    assert client.get("/account").status_code == 302


def test_password_reset_link_works_once(app, client, shop):
    shop.create_user("ana@example.com")
    post_form(client, "/password/forgot", "/password/forgot", {"email": "ana@example.com"})
    mail = shop.mails()[-1]
    assert "To: ana@example.com" in mail
    link = re.search(r"http://localhost(/password/reset/\S+)", mail).group(1)
    new = "a brand new password"
    response = post_form(client, link, link, {"password": new, "confirm": new})
    assert response.headers["Location"] == "/account"  # logged in by the link
    assert "Your password was changed and you are logged in." in client.get(
        "/account").get_data(as_text=True)
    assert client.get(link).status_code == 400  # used
    assert shop.login(client, "ana@example.com", new).status_code == 302
    assert shop.login(app.test_client(), "ana@example.com", PASSWORD).status_code == 401


def test_password_reset_ends_the_accounts_other_sessions(app, client, shop):
    shop.create_user("ana@example.com")
    laptop = app.test_client()
    shop.login(laptop, "ana@example.com", PASSWORD)
    assert laptop.get("/account").status_code == 200
    post_form(client, "/password/forgot", "/password/forgot", {"email": "ana@example.com"})
    link = re.search(r"http://localhost(/password/reset/\S+)", shop.mails()[-1]).group(1)
    new = "a brand new password"
    post_form(client, link, link, {"password": new, "confirm": new})
    assert laptop.get("/account").status_code == 302  # signed out everywhere


def test_password_reset_link_expires(app, client, shop):
    shop.create_user("ana@example.com")
    post_form(client, "/password/forgot", "/password/forgot", {"email": "ana@example.com"})
    link = re.search(r"http://localhost(/password/reset/\S+)", shop.mails()[-1]).group(1)
    with app.app_context():
        row = db.session.scalar(select(PasswordResetToken))
        db.session.execute(update(PasswordResetToken).values(
            expires_at=row.expires_at - timedelta(hours=2)))
        db.session.commit()
    assert "no longer works" in client.get(link).get_data(as_text=True)


def test_forgot_password_does_not_reveal_accounts(client, shop):
    response = post_form(client, "/password/forgot", "/password/forgot",
                         {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert shop.mails() == []
    assert "If an account uses that email" in client.get("/login").get_data(as_text=True)


def test_reset_token_is_stored_hashed(app, client, shop):
    shop.create_user("ana@example.com")
    post_form(client, "/password/forgot", "/password/forgot", {"email": "ana@example.com"})
    token = re.search(r"/password/reset/(\S+)", shop.mails()[-1]).group(1)
    with app.app_context():
        stored = db.session.scalar(select(PasswordResetToken.token_hash))
    assert token not in stored and len(stored) == 64


class VerifiedRecorder:
    name = "verifiedrecorder"
    seen: list[int] = []

    from hooks import hookimpl

    @hookimpl
    def shop_customer_verified(self, user_id):
        type(self).seen.append(user_id)


def test_registration_sends_a_verification_link_that_works_once(make_app, shop):
    VerifiedRecorder.seen = []
    app = make_app(EXTRA_PLUGINS=[VerifiedRecorder()])
    shop.app = app
    client = app.test_client()
    shop.register(client, email="ana@example.com")
    assert "Please confirm your email address" in client.get("/account").get_data(True)
    mail = shop.mails()[-1]
    assert "Subject: Please confirm your email address" in mail
    link = re.search(r"http://localhost(/verify-email/\S+)", mail).group(1)
    assert client.get(link).status_code == 302
    assert "Please confirm" not in client.get("/account").get_data(as_text=True)
    assert client.get(link).status_code == 400  # used
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email_verified_at is not None
        assert VerifiedRecorder.seen == [user.id]
    post_form(client, "/account", "/verify-email/resend", {})
    assert len([m for m in shop.mails() if "confirm your email" in m]) == 1  # no resend


def test_resend_verification_and_reset_also_verifies(make_app, shop):
    VerifiedRecorder.seen = []
    app = make_app(EXTRA_PLUGINS=[VerifiedRecorder()])
    shop.app = app
    client = app.test_client()
    shop.register(client, email="ana@example.com")
    post_form(client, "/account", "/verify-email/resend", {})
    assert len([m for m in shop.mails() if "confirm your email" in m]) == 2
    post_form(client, "/password/forgot", "/password/forgot", {"email": "ana@example.com"})
    link = re.search(r"http://localhost(/password/reset/\S+)", shop.mails()[-1]).group(1)
    new = "another new password"
    post_form(client, link, link, {"password": new, "confirm": new})
    with app.app_context():
        assert VerifiedRecorder.seen == [db.session.scalar(select(User.id))]
    assert app.test_client().get("/verify-email/not-a-token").status_code == 400
