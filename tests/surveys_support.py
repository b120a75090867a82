"""A shop with the surveys plugin: members with paid orders, invitations sent, links."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from hooks import utcnow
from loyalty_plugins.surveys import invitations, settings
from loyalty_plugins.surveys.models import Survey
from storefront.extensions import db
from storefront.notifications.models import Notification
from storefront.orders.service import mark_paid
from storefront.plugins.state import save_settings
from tests.points_support import last_order_id, loyalty_app

PLUGINS = ("points", "events", "surveys")
SKU = "EQP-GRD-01"
LINK = re.compile(r"http://localhost(/plugins/surveys/s/\S+)")


def surveys_app(make_app, **config):
    return loyalty_app(make_app, plugins=PLUGINS, **config)


def configure(app, **values):
    with app.app_context():
        save_settings("surveys", values, actor="test")


def paid_order(app, shop, client, email="mia@example.com", sku=SKU) -> int:
    shop.add(client, sku)
    shop.checkout(client, email=email)
    order_id = last_order_id(app)
    with app.app_context():
        mark_paid(order_id)
    return order_id


def send_invitations(app, days: float = 30) -> int:
    """Run the invitation job as it would run ``days`` from now."""
    with app.app_context():
        sent = invitations.send_due(settings.current(), utcnow() + timedelta(days=days))
        db.session.commit()
        return sent


def invitation_links(app, user_id: int) -> list[str]:
    with app.app_context():
        bodies = db.session.scalars(select(Notification.body).where(
            Notification.plugin == "surveys", Notification.user_id == user_id)
            .order_by(Notification.id)).all()
    return [LINK.search(body).group(1) for body in bodies]


def survey_of_order(app, order_id: int) -> Survey | None:
    with app.app_context():
        row = db.session.scalar(select(Survey).where(Survey.order_id == order_id))
        if row is not None:
            db.session.expunge(row)
        return row


def answer_fields(nps="9", reason="Quick and friendly", **more) -> dict[str, str]:
    return {"nps": nps, "reason": reason, "delivery": "4", "product": "5", "service": "3",
            **more}
