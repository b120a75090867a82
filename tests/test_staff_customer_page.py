"""One screen for the whole customer: the staff page of a customer gathers the panels of
every enabled plugin (shop_staff_customer_panels) and the messages the shop sent, each panel
shown only to the roles that may read it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hooks import call
from storefront.extensions import db
from storefront.notifications.models import Notification
from storefront.plugins.state import set_enabled
from tests.events_support import events_app, gold_member
from tests.support.forms import post_form
from tests.test_welcome import staff_client

PLUGINS = ("tiers", "events", "points", "cards", "surveys", "complaints", "rewards",
           "statements")
STAFF_PANELS = ("points-customer", "tier-customer", "cards-customer", "events-customer",
                "complaints-customer", "messages-sent")


@pytest.fixture
def app(make_app, tmp_path):
    return events_app(make_app, tmp_path, plugins=PLUGINS)


def customer_with_history(app, shop) -> tuple[object, int]:
    """Gina: a Gold member with a card, points, a place at the cupping, an answered survey
    and an open complaint."""
    client, uid = gold_member(app, shop)
    post_form(client, "/events/cupping", "/events/cupping/register", {"guests": "0"})
    with app.app_context():
        call("surveys_sample_answer", user_id=uid, nps=4, reason="The parcel was late.")
        call("complaints_open", key="test", user_id=uid, category="service", order_id=None,
             text="Nobody answered the phone.")
        db.session.commit()
    return client, uid


def test_staff_read_the_whole_customer_and_managers_a_little_more(app, shop):
    client, uid = customer_with_history(app, shop)
    page = staff_client(app, shop, "staff").get(f"/admin/customers/{uid}").get_data(True)
    for panel in STAFF_PANELS:
        assert f'data-testid="{panel}"' in page, panel
    assert "Gold" in page and "Cupping" in page and "confirmed" in page
    assert re.search(r"\d+ points? usable", page)
    assert 'data-testid="surveys-customer"' not in page  # managers read survey answers
    assert "/plugins/statements/preview" not in page  # the owner previews statements
    manager = staff_client(app, shop, "manager").get(f"/admin/customers/{uid}").get_data(True)
    assert 'data-testid="surveys-customer"' in manager and "NPS 4" in manager
    assert "The parcel was late." in manager
    assert "/plugins/statements/preview" not in manager
    owner = staff_client(app, shop, "owner").get(f"/admin/customers/{uid}").get_data(True)
    assert f"/plugins/statements/preview?member={uid}" in owner
    # The member's own page is not theirs to open, nor another member's.
    assert client.get(f"/admin/customers/{uid}").status_code in (403, 404)


def test_the_messages_panel_says_what_was_sent_but_not_its_links(app, shop):
    _, uid = customer_with_history(app, shop)
    page = staff_client(app, shop, "staff").get(f"/admin/customers/{uid}").get_data(True)
    with app.app_context():
        sent = db.session.scalars(select(Notification).where(Notification.user_id == uid)).all()
        assert sent
        for message in sent:
            assert message.subject in page
            for link in re.findall(r"https?://\S+", message.body):
                assert link not in page  # a confirmation or survey link is the member's


def test_a_plugin_switched_off_leaves_its_panel_out(app, shop):
    _, uid = customer_with_history(app, shop)
    staff = staff_client(app, shop, "staff")
    with app.app_context():
        set_enabled("events", False, actor="test")
    page = staff.get(f"/admin/customers/{uid}").get_data(True)
    assert 'data-testid="events-customer"' not in page
    assert 'data-testid="points-customer"' in page
