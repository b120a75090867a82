"""A real SMTP server on localhost (aiosmtpd) whose inbox the tests read."""

from __future__ import annotations

import time


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append((envelope.rcpt_tos[0], envelope.content.decode()))
        return "250 OK"


def subjects(inbox):
    return sorted(body.split("Subject: ")[1].splitlines()[0] for _, body in inbox.messages)


def wait_for(inbox, count):
    for _ in range(100):
        if len(inbox.messages) >= count:
            return
        time.sleep(0.05)


def texts(inbox):
    return [body for _, body in inbox.messages]
