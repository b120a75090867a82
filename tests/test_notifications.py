"""Notifications: outbox in the caller's transaction, SMTP delivery after commit, retries,
the member's message list, marketing opt-out."""

import time

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update

from storefront.accounts.models import User
from storefront.cli import main
from storefront.extensions import db
from storefront.notifications.models import Notification
from storefront.notifications.service import notify
from tests.support import sample_plugins as sp
from tests.support.forms import post_form
from tests.support.postgres import free_port
from tests.support.smtp import Inbox, subjects, texts, wait_for


@pytest.fixture
def greeter_app(make_app, smtp):
    _, port, _ = smtp
    return make_app(EXTRA_PLUGINS=[sp.Greeter()], MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1",
                    SMTP_PORT=port)


def test_plugin_messages_are_delivered_by_smtp_and_listed_for_the_member(greeter_app, shop,
                                                                         smtp):
    inbox = smtp[0]
    shop.app = greeter_app
    client = greeter_app.test_client()
    shop.register(client, email="mia@example.com", name="Mia", mails=lambda: texts(inbox))
    wait_for(inbox, 3)  # the core's registration link, then the plugin's two messages
    assert [to for to, _ in inbox.messages] == ["mia@example.com"] * 3
    body = next(body for _, body in inbox.messages if "Subject: Welcome!" in body)
    assert "Subject: Welcome!" in body and "Hello Mia" in body and "HELLO" in body
    listing = client.get("/account/messages").get_data(as_text=True)
    assert "Welcome!" in listing and "Sent" in listing
    with greeter_app.app_context():
        welcome = db.session.scalar(select(Notification).where(Notification.subject == "Welcome!"))
        news = db.session.scalar(select(Notification).where(Notification.subject == "Our news"))
        assert (welcome.status, welcome.plugin) == ("sent", "greeter")
        assert news.status == "sent" and news.kind == "marketing"
    other = greeter_app.test_client()
    shop.register(other, email="bob@example.com", mails=lambda: texts(inbox))
    assert other.get(f"/account/messages/{welcome.id}").status_code == 404
    assert "Welcome!" in client.get(f"/account/messages/{welcome.id}").get_data(as_text=True)


def test_marketing_respects_the_opt_out(greeter_app, shop, smtp):
    inbox = smtp[0]
    shop.app = greeter_app
    client = greeter_app.test_client()
    shop.register(client, email="mia@example.com", name="Mia", mails=lambda: texts(inbox))
    wait_for(inbox, 3)
    assert subjects(inbox) == ["Confirm your email address to finish registering", "Our news",
                               "Welcome!"]
    post_form(client, "/account/preferences", "/account/preferences", {})  # box unticked
    with greeter_app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "mia@example.com"))
        notify("news.txt", "More news", user_id=user_id, kind="marketing", headline="Tea")
        notify("welcome.txt", "Receipt", user_id=user_id, code="X")
        db.session.commit()
    wait_for(inbox, 4)
    time.sleep(0.2)
    assert "Receipt" in subjects(inbox) and "More news" not in subjects(inbox)
    assert "Not sent (you opted out)" in client.get("/account/messages").get_data(True)


def test_a_rolled_back_transaction_sends_nothing(greeter_app, smtp):
    inbox = smtp[0]
    with greeter_app.app_context():
        notify("welcome.txt", "Never", email="x@example.com", code="X")
        db.session.rollback()
        db.session.commit()
        assert db.session.scalar(select(Notification)) is None
    time.sleep(0.2)
    assert inbox.messages == []


def test_messages_wait_while_the_mail_server_is_down_and_go_out_once_when_it_is_back(make_app):
    port = free_port()  # nothing listens here yet: the mail server is down
    app = make_app(EXTRA_PLUGINS=[sp.Greeter()], MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1",
                   SMTP_PORT=port)
    with app.app_context():
        notify("welcome.txt", "Hi", email="guest@example.com", code="Q")
        db.session.commit()
        message = db.session.scalar(select(Notification))
        assert message.status == "failed" and message.attempts == 1
    runner = app.test_cli_runner()
    early = runner.invoke(main, ["jobs", "run", "--only", "core:deliver", "--force"])
    assert early.exit_code == 0  # not due yet: the pause after a failure
    with app.app_context():
        assert db.session.scalar(select(Notification)).attempts == 1
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with app.app_context():
            db.session.execute(update(Notification).values(next_attempt_at=None))  # time passes
            db.session.commit()
        for _ in range(2):  # a second run (cron and a worker both firing) sends nothing more
            result = runner.invoke(main, ["jobs", "run", "--only", "core:deliver", "--force"])
            assert result.exit_code == 0, result.output
        wait_for(inbox, 1)
    finally:
        controller.stop()
    assert [to for to, _ in inbox.messages] == ["guest@example.com"]
    with app.app_context():
        message = db.session.scalar(select(Notification))
        assert message.status == "sent" and message.attempts == 2


def test_notify_refuses_bad_input(app):
    from storefront.notifications.service import NotificationError

    with app.app_context():
        with pytest.raises(NotificationError):
            notify("welcome.txt", "x", user_id=999, code="X")
        with pytest.raises(NotificationError):
            notify("welcome.txt", "x", email="a@example.com", kind="spam", code="X")
        with pytest.raises(NotificationError):
            notify("welcome.txt", "x", code="X")


def test_upgrade_keeps_existing_members(tmp_path):
    """0002 -> head on a shop with a member: the new column gets its default."""
    from sqlalchemy import text

    from storefront import create_app
    from storefront.database import migrate

    app = create_app({"SECRET_KEY": "s" * 8 + "0123456789abcdefghijklmnopqrstuvwxyz",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/up.sqlite3"},
                     instance_path=str(tmp_path))
    migrate.upgrade(app, "0002")
    with app.app_context():
        db.session.execute(text(
            "INSERT INTO user_account (email, name, password_hash, role, session_token, "
            "created_at) VALUES ('old@example.com', 'Old', 'x', 'customer', 't', "
            "'2026-01-01 00:00:00')"))
        db.session.commit()
    migrate.upgrade(app)
    with app.app_context():
        row = db.session.execute(text(
            "SELECT email, marketing_opt_out FROM user_account")).one()
        assert row.email == "old@example.com" and not row.marketing_opt_out
