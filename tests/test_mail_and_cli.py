"""Mail through a real local SMTP server."""

import re
import time

import pytest
from aiosmtpd.controller import Controller

from tests.support.forms import post_form
from tests.support.postgres import free_port


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"


@pytest.fixture
def smtp_inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def test_password_reset_mail_goes_through_smtp(make_app, smtp_inbox, shop):
    inbox, port = smtp_inbox
    app = make_app(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    shop.app = app
    shop.create_user("ana@example.com")
    client = app.test_client()
    post_form(client, "/password/forgot", "/password/forgot", {"email": "ana@example.com"})
    for _ in range(50):
        if inbox.messages:
            break
        time.sleep(0.05)
    recipients, body = inbox.messages[0]
    assert recipients == ["ana@example.com"] and "Subject: Reset your password" in body
    assert re.search(r"http://localhost/password/reset/\S+", body)
