"""A mail server for the tests: aiosmtpd on 127.0.0.1, keeping what it is sent.

    with smtp_server() as (inbox, port):   # MAIL_BACKEND=smtp, SMTP_PORT=port
        ...
        inbox.messages                     # [(first recipient, the message's text), ...]
"""

from __future__ import annotations

import contextlib
import email
import threading
import time
from collections.abc import Iterator

from aiosmtpd.controller import Controller

from tests.support.postgres import free_port


class Inbox:
    """aiosmtpd's handler: every message accepted, in the order they came."""

    def __init__(self):
        self.messages: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self._lock:
            self.messages.append((envelope.rcpt_tos[0], envelope.content.decode()))
        return "250 OK"

    def headers(self, name: str) -> list[str]:
        """One header (Subject, Message-ID...) of every message, in the order they came."""
        with self._lock:
            texts = [text for _, text in self.messages]
        return [str(email.message_from_string(text)[name]) for text in texts]


@contextlib.contextmanager
def smtp_server(inbox: Inbox | None = None) -> Iterator[tuple[Inbox, int]]:
    inbox = inbox or Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def subjects(inbox: Inbox) -> list[str]:
    return sorted(body.split("Subject: ")[1].splitlines()[0] for _, body in inbox.messages)


def texts(inbox: Inbox) -> list[str]:
    return [body for _, body in inbox.messages]


def wait_for(inbox: Inbox, count: int) -> None:
    for _ in range(100):
        if len(inbox.messages) >= count:
            return
        time.sleep(0.05)
