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


def _register_form(client, email, password=PASSWORD):
    return post_form(client, "/register", "/register", {
        "name": "Ana", "email": email, "password": password, "confirm": password})


def _without_token(html: str) -> str:
    """The page without its forms' CSRF tokens (each visitor has their own)."""
    return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "", html)


def test_register_answers_the_same_for_a_known_and_an_unknown_address(app, shop):
    shop.create_user("ana@example.com", name="Ana")
    known = _register_form(app.test_client(), "ANA@example.com")
    unknown = _register_form(app.test_client(), "bob@example.com")
    assert known.status_code == unknown.status_code == 200
    assert _without_token(known.get_data(as_text=True)).replace("ana@", "bob@") == \
        _without_token(unknown.get_data(as_text=True))
    assert ("We sent a message to bob@example.com. Open the link in it to finish\ncreating "
            "your account.") in unknown.get_data(as_text=True)
    to_ana, to_bob = shop.mails()
    # The owner of the address is told, with the ways in; nothing changed for them.
    assert "To: ana@example.com" in to_ana
    assert "Subject: Someone tried to register with your address" in to_ana
    assert "http://localhost/login" in to_ana and "http://localhost/password/forgot" in to_ana
    assert shop.login(app.test_client(), "ana@example.com", PASSWORD).status_code == 302
    assert "Subject: Confirm your email address to finish registering" in to_bob
    with app.app_context():  # no account before the link is opened
        assert db.session.scalar(select(User).where(User.email == "bob@example.com")) is None


def test_forgot_password_answers_the_same_for_a_known_and_an_unknown_address(app, shop):
    shop.create_user("ana@example.com")
    answers = []
    for email in ("ana@example.com", "bob@example.com"):
        client = app.test_client()
        answer = post_form(client, "/password/forgot", "/password/forgot", {"email": email})
        page = client.get(answer.headers["Location"])
        answers.append((answer.status_code, answer.headers["Location"], page.status_code,
                        _without_token(page.get_data(as_text=True))))
    assert answers[0] == answers[1]
    assert answers[0][:3] == (302, "/login", 200)
    assert "If an account uses that email, a reset link is on its way." in answers[0][3]
    assert [m for m in shop.mails() if "Subject: Reset your password" in m] != []


def test_registration_link_makes_the_account_once(app, client, shop):
    _register_form(client, "bob@example.com")
    link = shop.link("bob@example.com", "/register/finish/")
    assert client.get("/account").status_code == 302  # not logged in before the link
    answer = client.get(link)
    assert answer.headers["Location"] == "/account"
    assert "Welcome, Ana! Your account is ready." in client.get("/account").get_data(True)
    assert "Please confirm your email address" not in client.get("/account").get_data(True)
    assert "expired or was already used" in app.test_client().get(link).get_data(True)
    with app.app_context():
        assert db.session.scalar(select(User.email_verified_at)) is not None


def test_an_attackers_registration_cannot_take_an_address(app, shop):
    """Someone registers ana@ with their own password first: Ana's own registration still
    makes her account, and the other link no longer does anything."""
    _register_form(app.test_client(), "ana@example.com", "the attackers password")
    attackers = shop.link("ana@example.com", "/register/finish/")
    assert shop.register(app.test_client(), email="ana@example.com").status_code == 302
    assert app.test_client().get(attackers).status_code == 400
    assert shop.login(app.test_client(), "ana@example.com",
                      "the attackers password").status_code == 401
    assert shop.login(app.test_client(), "ana@example.com", PASSWORD).status_code == 302


def test_register_rejects_a_short_password(app, client, shop):
    html = _register_form(client, "bob@example.com", "short").get_data(as_text=True)
    assert "at least 10 characters" in html
    assert shop.mails() == []


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
    seen: list[tuple[str, int]] = []

    from hooks import hookimpl

    @hookimpl
    def shop_customer_registered(self, user_id):
        type(self).seen.append(("registered", user_id))

    @hookimpl
    def shop_customer_verified(self, user_id):
        type(self).seen.append(("verified", user_id))


def test_registering_by_link_announces_a_verified_member(make_app, shop):
    VerifiedRecorder.seen = []
    app = make_app(EXTRA_PLUGINS=[VerifiedRecorder()])
    shop.app = app
    client = app.test_client()
    shop.register(client, email="ana@example.com")
    with app.app_context():
        user_id = db.session.scalar(select(User.id))
    assert VerifiedRecorder.seen == [("registered", user_id), ("verified", user_id)]
    post_form(client, "/account", "/verify-email/resend", {})
    assert not [m for m in shop.mails() if "Please confirm your email address" in m]


def test_resend_verification_and_reset_also_verifies(make_app, shop):
    """Accounts made before registration needed the link may still be unconfirmed."""
    VerifiedRecorder.seen = []
    app = make_app(EXTRA_PLUGINS=[VerifiedRecorder()])
    shop.app = app
    client = app.test_client()
    user_id = shop.create_user("ana@example.com", name="Ana")
    shop.login(client, "ana@example.com", PASSWORD)
    assert "Please confirm your email address" in client.get("/account").get_data(True)
    post_form(client, "/account", "/verify-email/resend", {})
    post_form(client, "/account", "/verify-email/resend", {})
    assert len([m for m in shop.mails() if "confirm your email" in m]) == 2
    post_form(client, "/password/forgot", "/password/forgot", {"email": "ana@example.com"})
    link = re.search(r"http://localhost(/password/reset/\S+)", shop.mails()[-1]).group(1)
    new = "another new password"
    post_form(client, link, link, {"password": new, "confirm": new})
    assert VerifiedRecorder.seen == [("verified", user_id)]
    verify = shop.link("ana@example.com", "/verify-email/")
    assert app.test_client().get(verify).status_code == 302  # still works once, no 2nd call
    assert VerifiedRecorder.seen == [("verified", user_id)]
    assert app.test_client().get("/verify-email/not-a-token").status_code == 400
