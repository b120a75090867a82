"""The owner's double click on "Send to N members", as the browser sends it: two POSTs of the
same form at once, through HTTP against a running shop on PostgreSQL. One message goes out."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from loyalty_plugins.insights.models import SegmentMessage
from storefront.extensions import db
from storefront.notifications.models import Notification
from tests.support.live_server import Visitor, live_server, run_together
from tests.test_insights_targeting import SEGMENT
from tests.test_insights_targeting import app as app  # noqa: F401 - the fixture, reused

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def test_the_same_message_form_sent_twice_at_once_sends_once(app, shop):  # noqa: F811
    shop.create_user("owner@example.com", role="owner")
    with live_server(app) as server:
        owner = Visitor(server)
        assert owner.post_form("/login", "/login", {
            "email": "owner@example.com", "password": "correct horse battery"}).status in (
            302, 303)
        fields = {**owner.form(SEGMENT, f"{SEGMENT}/message"), "subject": "Twice clicked",
                  "body": "One of these, please.", "action": "send"}
        answers = run_together([lambda: owner.post(f"{SEGMENT}/message", fields)] * 2)
    assert all(answer.status in (302, 303) for answer in answers), answers
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SegmentMessage)) == 1
        assert db.session.scalar(select(func.count()).where(
            Notification.subject == "Twice clicked")) == 1
