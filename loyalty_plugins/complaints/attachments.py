"""Attachments: a PNG or JPEG picture or a PDF document, recognised by its first bytes (not
its name), no larger than the owner's limit, stored in the instance folder, outside anything
the web server serves, under a random name."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from flask import current_app, send_file

from hooks import gettext as _
from loyalty_plugins.complaints.models import Attachment

SIGNATURES = ((b"\x89PNG\r\n\x1a\n", "image/png", "png"), (b"\xff\xd8\xff", "image/jpeg", "jpg"),
              (b"%PDF-", "application/pdf", "pdf"))


class Rejected(ValueError):
    """A file that cannot be attached; ``str()`` says why, for the page."""


def sniff(head: bytes) -> tuple[str, str] | None:
    """The media type and extension the file's first bytes show, or None."""
    return next(((media, ext) for magic, media, ext in SIGNATURES if head.startswith(magic)),
                None)


def folder() -> Path:
    return Path(current_app.instance_path) / "complaints"


def clean_name(filename: str, ext: str) -> str:
    stem = re.sub(r"[^\w.-]+", "_", Path(filename or "").stem)[:80].strip("._") or "file"
    return f"{stem}.{ext}"


def checked(data: bytes, filename: str, max_kb: int) -> tuple[str, str, str]:
    """(media type, extension, clean name) of an upload, or ``Rejected``."""
    if len(data) > max_kb * 1024:
        raise Rejected(_("%(file)s is larger than %(size)s KB.", file=filename, size=max_kb))
    found = sniff(data[:8])
    if found is None:
        raise Rejected(_("%(file)s is not a PNG or JPEG picture or a PDF document.",
                         file=filename))
    media, ext = found
    return media, ext, clean_name(filename, ext)


def store(complaint_id: int, data: bytes, filename: str, max_kb: int, now) -> Attachment:
    media, ext, name = checked(data, filename, max_kb)
    stored = f"{complaint_id}-{secrets.token_hex(16)}.{ext}"
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    (target / stored).write_bytes(data)
    return Attachment(complaint_id=complaint_id, filename=name, stored=stored,
                      media_type=media, size=len(data), created_at=now)


def response(attachment: Attachment):
    """The file, as a download the browser does not second-guess (nosniff), never cached
    by shared caches."""
    answer = send_file(folder() / attachment.stored, mimetype=attachment.media_type,
                       as_attachment=True, download_name=attachment.filename, max_age=0)
    answer.headers["X-Content-Type-Options"] = "nosniff"
    answer.headers["Cache-Control"] = "private, no-store"
    return answer
