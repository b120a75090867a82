"""Outgoing mail: console or file in development, SMTP in production."""

from __future__ import annotations

import logging
import smtplib
import sys
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)


def build_message(to: str, subject: str, body: str, message_id: str | None = None
                  ) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="storefront.local")
    msg.set_content(body)
    return msg


def send_mail(to: str, subject: str, body: str, message_id: str | None = None) -> None:
    msg = build_message(to, subject, body, message_id)
    backend = current_app.config["MAIL_BACKEND"]
    if backend == "console":
        headers = "".join(f"{name}: {value}\n" for name, value in msg.items()
                          if name not in ("Content-Type", "Content-Transfer-Encoding",
                                          "MIME-Version"))
        sys.stdout.write(f"\n----- mail -----\n{headers}\n{body}\n----- end mail -----\n")
        sys.stdout.flush()
    elif backend == "file":
        folder = Path(current_app.config["MAIL_FILE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        name = msg["Message-ID"].strip("<>").replace("@", "_")
        (folder / f"{name}.eml").write_bytes(bytes(msg))
    elif backend == "smtp":
        cfg = current_app.config
        with smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=20) as smtp:
            if cfg["SMTP_STARTTLS"]:
                smtp.starttls()
            if cfg["SMTP_USERNAME"]:
                smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"])
            smtp.send_message(msg)
    else:
        raise ValueError(f"MAIL_BACKEND must be console, file or smtp, not {backend!r}")
    log.info("mail sent to %s: %s", to, subject)
