"""Segments as conditions (issue 15): other plugins ask a customer's segment through the hook
the insights plugin publishes; the events plugin invites only the segments an event names;
managers and the owner write to a segment's members, once per form, after a preview."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hooks import call, provided, utcnow
from storefront.extensions import db
from storefront.imports.orders import import_orders
from storefront.jobs import run_due
from storefront.plugins.state import set_enabled
from tests.conftest import ON_SQLITE, Shop
from tests.events_support import LADDER, event_file
from tests.points_support import loyalty_app, member
from tests.support.forms import csrf_token
from tests.test_admin import staff_client

SEGMENT = "/plugins/insights/segments/champions"


@pytest.fixture
def app(make_app, shop, tmp_path):
    """Cho (a member) bought 8 times up to 5 days ago: the champion. Lou (a member) and nine
    others bought once, long ago."""
    content = tmp_path / "content"
    event_file(content, "champions-dinner", extra="invite_segments: [champions]\n")
    event_file(content, "open-tasting")
    app = loyalty_app(make_app, plugins=("tiers", "events", "insights"),
                      settings={"tiers": {"ladder": LADDER}}, CONTENT_DIR=str(content))
    member(app, shop, email="cho@example.com", name="Cho")
    member(app, shop, email="lou@example.com", name="Lou")
    now = utcnow()
    rows = ["order,email,date,total"]
    rows += [f"cho-{n},cho@example.com,{(now - timedelta(days=5 + 10 * n)).isoformat()},10.00"
             for n in range(8)]
    rows += [f"c{n},c{n}@example.com,{(now - timedelta(days=400 + n)).isoformat()},10.00"
             for n in range(9)]
    rows.append(f"lou,lou@example.com,{(now - timedelta(days=420)).isoformat()},10.00")
    path = tmp_path / "history.csv"
    path.write_text("\n".join(rows) + "\n")
    with app.app_context():
        assert import_orders(path).imported == 18
        run_due(force=True, only="insights:refresh")
    return app


def test_a_plugin_asks_a_customers_segment_through_the_published_hook(app):
    with app.app_context():
        assert provided("insights_segment")
        assert call("insights_segment", email="Cho@Example.com") == "champions"
        assert call("insights_segment", email="lou@example.com") == "lost"
        assert call("insights_segment", email="nobody@example.com") is None
        set_enabled("insights", False, actor="test")
        assert not provided("insights_segment")


def _invitations(shop, title: str) -> list[str]:
    return [mail for mail in shop.mails() if "You are invited" in mail and title in mail]


def test_an_event_invites_only_the_segments_it_names(app, shop):
    with app.app_context():
        run_due(force=True, only="events:invitations")
    dinner = _invitations(shop, "Champions Dinner")
    assert len(dinner) == 1 and "cho@example.com" in dinner[0]
    assert len(_invitations(shop, "Open Tasting")) == 2  # Cho and Lou: no segments named


def test_with_insights_off_an_event_for_segments_invites_nobody(app, shop):
    with app.app_context():
        set_enabled("insights", False, actor="test")
        run_due(force=True, only="events:invitations")
    assert _invitations(shop, "Champions Dinner") == []
    assert len(_invitations(shop, "Open Tasting")) == 2


def _form(client) -> dict[str, str]:
    html = client.get(SEGMENT).get_data(as_text=True)
    token = html.split('name="token" value="', 1)[1].split('"', 1)[0]
    return {"csrf_token": csrf_token(html), "token": token}


def test_the_owner_previews_then_writes_to_a_segment_once(app, shop):
    owner = staff_client(app, shop, "owner")
    page = owner.get(SEGMENT).get_data(as_text=True)
    assert "1 member of this segment has an account" in page
    assert page.count('id="write-title"') == 1  # once, in the page, not in its title
    form = {**_form(owner), "subject": "A thank-you", "body": "Your next coffee is on us."}
    preview = owner.post(f"{SEGMENT}/message", data={**form, "action": "preview"})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'data-testid="message-preview"' in text
    assert "Your next coffee is on us." in text.split('data-testid="message-preview"')[1]
    assert not [mail for mail in shop.mails() if "A thank-you" in mail]
    sent = owner.post(f"{SEGMENT}/message", data={**form, "action": "send"},
                      follow_redirects=True).get_data(as_text=True)
    assert "The message is on its way to 1 member." in sent
    again = owner.post(f"{SEGMENT}/message", data={**form, "action": "send"},
                       follow_redirects=True).get_data(as_text=True)
    assert "This message was sent already; it was not sent again." in again
    mails = [mail for mail in shop.mails() if "A thank-you" in mail]
    assert len(mails) == 1 and "cho@example.com" in mails[0] and "Hello Cho," in mails[0]
    assert '"A thank-you", by owner@example.com, to 1 members' in again


def test_a_message_needs_a_subject_and_text(app, shop):
    owner = staff_client(app, shop, "owner")
    answer = owner.post(f"{SEGMENT}/message",
                        data={**_form(owner), "subject": "", "body": "", "action": "send"})
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Write a subject." in text and "Write the message." in text
    assert _messages_written(app) == 0


def _messages_written(app) -> int:
    from loyalty_plugins.insights.models import SegmentMessage

    with app.app_context():
        return db.session.query(SegmentMessage).count()


@ON_SQLITE  # who may write is decided before any figure is read
def test_staff_and_customers_cannot_write_to_a_segment(make_app):
    app = loyalty_app(make_app, plugins=("insights",))
    for role in ("staff", "customer"):
        client = staff_client(app, Shop(app), role)
        html = client.get("/account").get_data(as_text=True)
        answer = client.post(f"{SEGMENT}/message", data={
            "csrf_token": csrf_token(html), "subject": "x", "body": "y", "action": "send"})
        assert answer.status_code == 403 and _messages_written(app) == 0, role
