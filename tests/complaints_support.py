"""Helpers for the complaints tests: a shop with the complaints, points and rewards plugins
on, complaints filed and answered through the pages."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from loyalty_plugins.complaints.models import Complaint
from storefront.extensions import db
from storefront.notifications.models import Notification
from storefront.plugins.state import save_settings
from tests.points_support import loyalty_app
from tests.support.forms import post_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
PLUGINS = ("complaints", "points", "rewards")


def complaints_app(make_app, settings=None, **config):
    return loyalty_app(make_app, plugins=PLUGINS, settings=settings, **config)


def configure(app, **values):
    with app.app_context():
        save_settings("complaints", values, actor="test")


def file(client, text="The parcel arrived broken.", files=(), **fields):
    """Post the complaint form as its page has it; the answer, not followed."""
    data = {"kind": "complaint", "category": "order", "about": "", "order": "", "text": text,
            **fields}
    if files:  # (bytes, file name) each
        data["attachments"] = [(io.BytesIO(content), name) for content, name in files]
    return post_form(client, "/plugins/complaints/new", "/plugins/complaints/new", data)


def filed_id(answer) -> int:
    found = re.search(r"/plugins/complaints/(\d+)$", answer.headers.get("Location", ""))
    assert found, (answer.status_code, answer.get_data(as_text=True)[:2000])
    return int(found.group(1))


def staff_post(client, complaint_id, action, data):
    page = f"/plugins/complaints/staff/{complaint_id}"
    return post_form(client, page, f"{page}/{action}", data)


def complaint(app, complaint_id) -> Complaint:
    with app.app_context():
        row = db.session.get(Complaint, complaint_id)
        db.session.expunge(row)
        return row


def complaints(app) -> list[Complaint]:
    with app.app_context():
        rows = db.session.scalars(select(Complaint).order_by(Complaint.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows


def messages(app, plugin="complaints") -> list[Notification]:
    with app.app_context():
        rows = db.session.scalars(select(Notification).where(Notification.plugin == plugin)
                                  .order_by(Notification.id)).all()
        for row in rows:
            db.session.expunge(row)
        return rows
