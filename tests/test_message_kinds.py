"""Kinds of message a plugin declares (shop_message_kinds): a box each on the member's
Message preferences page, and a message of a kind the member stopped is not sent."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from storefront.accounts.models import User
from storefront.extensions import db
from storefront.notifications.service import NotificationError
from storefront.plugins.state import set_enabled
from tests.support import sample_plugins as sp
from tests.support.forms import post_form

PLUGIN = sp.Statements()


@pytest.fixture
def app(make_app):
    return make_app(EXTRA_PLUGINS=[PLUGIN])


def registered(app, shop, email="mia@example.com"):
    shop.app = app
    client = app.test_client()
    shop.register(client, email=email, name="Mia")
    with app.app_context():
        return client, db.session.scalar(select(User.id).where(User.email == email))


def send(app, user_id, kind, subject):
    with app.app_context():
        message = PLUGIN.send(user_id, kind, subject)
        db.session.commit()
        return message.kind, message.status


def preferences(client, **boxes):
    """Save the page with these boxes ticked (label -> ticked); the rest unticked."""
    page = client.get("/account/preferences").get_data(as_text=True)
    fields = {}
    for label, ticked in boxes.items():
        name = page.split(f"{label}</label>")[0].rsplit('name="', 1)[1].split('"')[0]
        if ticked:
            fields[name] = "y"
    return post_form(client, "/account/preferences", "/account/preferences", fields)


def test_each_kind_is_a_box_ticked_until_the_member_stops_it(app, shop):
    client, uid = registered(app, shop)
    page = client.get("/account/preferences").get_data(as_text=True)
    assert "Monthly account statement" in page and "Brewing tips" in page
    assert "Points, tier and events, once a month." in page
    assert page.count("checked") == 3  # news, statement and tips: all on by default
    assert send(app, uid, "statement", "November") == ("stmts.statement", "sent")
    preferences(client, **{"Send me news, offers and invitations": True,
                           "Monthly account statement": False, "Brewing tips": True})
    assert send(app, uid, "statement", "December") == ("stmts.statement", "suppressed")
    assert send(app, uid, "tips", "Cold brew") == ("stmts.tips", "sent")
    listing = client.get("/account/messages").get_data(as_text=True)
    assert "December" in listing and "Not sent (you opted out)" in listing
    preferences(client, **{"Send me news, offers and invitations": True,
                           "Monthly account statement": True, "Brewing tips": True})
    assert send(app, uid, "statement", "January") == ("stmts.statement", "sent")


def test_stopping_news_stops_news_kinds_but_not_account_kinds(app, shop):
    client, uid = registered(app, shop)
    preferences(client, **{"Send me news, offers and invitations": False,
                           "Monthly account statement": True, "Brewing tips": True})
    assert send(app, uid, "tips", "Cold brew")[1] == "suppressed"
    assert send(app, uid, "statement", "December")[1] == "sent"
    assert send(app, uid, "marketing", "Sale")[1] == "suppressed"


def test_a_kind_the_plugin_did_not_declare_is_refused(app, shop):
    _, uid = registered(app, shop)
    with app.app_context(), pytest.raises(NotificationError, match="declare it with "
                                          "shop_message_kinds"):
        PLUGIN.send(uid, "birthday", "Hi")


def test_a_switched_off_plugin_has_no_boxes_and_keeps_the_members_choice(app, shop):
    client, uid = registered(app, shop)
    preferences(client, **{"Send me news, offers and invitations": True,
                           "Monthly account statement": False, "Brewing tips": True})
    with app.app_context():
        set_enabled("stmts", False, actor="test")
    page = client.get("/account/preferences").get_data(as_text=True)
    assert "Monthly account statement" not in page
    preferences(client, **{"Send me news, offers and invitations": True})
    with app.app_context():
        set_enabled("stmts", True, actor="test")
    assert send(app, uid, "statement", "December")[1] == "suppressed"  # still stopped
