"""Win-back (issue 16): the owner writes to a segment with an offer; each member gets one
message and a reward off one order, applied at checkout; the owner sees how many opened the
offer's page and how many orders used it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hooks import call
from loyalty_plugins.insights.models import SegmentMessage
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.orders.service import mark_paid
from storefront.plugins.state import set_enabled
from tests.points_support import PASSWORD, last_order_id
from tests.test_admin import staff_client
from tests.test_insights_targeting import SEGMENT, _form
from tests.test_insights_targeting import app as targeting_app  # noqa: F401 - its fixture

OFFER = {"offer": "percent", "offer_percent": "15", "offer_days": "7"}


@pytest.fixture
def app(targeting_app):  # noqa: F811
    with targeting_app.app_context():
        set_enabled("rewards", True, actor="test")
    return targeting_app


def send(app, shop, owner=None, **offer):
    owner = owner or staff_client(app, shop, "owner")
    form = {**_form(owner), "subject": "We miss you", "body": "Come back for a coffee.",
            **offer}
    page = owner.post(f"{SEGMENT}/message", data={**form, "action": "send"},
                      follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        message_id = db.session.scalar(select(SegmentMessage.id))
    return owner, page, message_id


def logged_in(app, shop, email):
    client = app.test_client()
    shop.login(client, email, PASSWORD)
    return client


def test_the_preview_shows_the_offer_as_members_will_read_it(app, shop):
    owner = staff_client(app, shop, "owner")
    form = {**_form(owner), "subject": "We miss you", "body": "Come back.", **OFFER}
    text = owner.post(f"{SEGMENT}/message", data={**form, "action": "preview"}).get_data(
        as_text=True)
    preview = text.split('data-testid="message-preview"')[1]
    assert "Our offer for you: 15% off your next order, until" in preview
    assert not [mail for mail in shop.mails() if "We miss you" in mail]


def test_members_get_one_message_and_one_reward_used_at_checkout_and_counted(app, shop):
    owner, page, message_id = send(app, shop, **OFFER)
    assert "The message is on its way to 1 member." in page
    [mail] = [mail for mail in shop.mails() if "We miss you" in mail]
    assert "cho@example.com" in mail and "Our offer for you: 15% off your next order" in mail
    link = re.search(r"https?://\S+/plugins/insights/offers/\d+", mail).group(0)
    assert link.endswith(f"/plugins/insights/offers/{message_id}")
    cho = logged_in(app, shop, "cho@example.com")
    for _ in range(2):  # opened twice: one open
        offer = cho.get(f"/plugins/insights/offers/{message_id}").get_data(as_text=True)
        assert "15% off your next order, until" in offer
    shop.add(cho, "EQP-GRD-01")  # 69.00
    assert "Our offer for you: 15% off, until" in cho.get("/cart").get_data(as_text=True)
    assert shop.checkout(cho, email="cho@example.com").status_code == 303
    with app.app_context():
        order = db.session.get(Order, last_order_id(app))
        assert order.discount_total == 1035
        mark_paid(order.id)
        db.session.commit()
    results = owner.get(SEGMENT).get_data(as_text=True)
    assert "with an offer; 1 opened its page, 1 orders used it, 0 unpaid orders hold it" in results
    shop.add(cho, "EQP-GRD-01")
    assert "Our offer for you" not in cho.get("/cart").get_data(as_text=True)  # used once


def test_the_offer_page_is_the_members_own(app, shop):
    _, _, message_id = send(app, shop, **OFFER)
    lou = logged_in(app, shop, "lou@example.com")  # not in the segment: no offer
    assert lou.get(f"/plugins/insights/offers/{message_id}").status_code == 404
    guest = app.test_client().get(f"/plugins/insights/offers/{message_id}")
    assert guest.status_code == 302
    assert guest.headers["Location"].endswith(
        f"/login?next=/plugins/insights/offers/{message_id}")


def test_a_wrong_offer_is_refused_with_the_reason(app, shop):
    owner = staff_client(app, shop, "owner")
    form = {**_form(owner), "subject": "x", "body": "y", "offer": "amount",
            "offer_amount": "five", "offer_days": "0", "action": "send"}
    answer = owner.post(f"{SEGMENT}/message", data=form)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Give an amount like 5.00." in text and "Give the days the offer is valid" in text
    with app.app_context():
        assert db.session.scalar(select(SegmentMessage.id)) is None


def test_without_the_rewards_plugin_the_form_has_no_offer_and_sends_the_message_alone(app,
                                                                                      shop):
    with app.app_context():
        set_enabled("rewards", False, actor="test")
    owner = staff_client(app, shop, "owner")
    assert 'name="offer"' not in owner.get(SEGMENT).get_data(as_text=True)
    _, page, _ = send(app, shop, owner, **OFFER)
    assert "The message is on its way to 1 member." in page
    [mail] = [mail for mail in shop.mails() if "We miss you" in mail]
    assert "Our offer for you" not in mail
    with app.app_context():
        assert db.session.scalar(select(SegmentMessage.offer)) == ""
        set_enabled("rewards", True, actor="test")
        assert call("rewards_list", key_prefix="insights:") == []


def test_a_points_offer_multiplies_the_members_points_while_it_lasts(app, shop):
    with app.app_context():
        set_enabled("points", True, actor="test")
    owner, page, message_id = send(app, shop, offer="points", offer_multiplier="2",
                                   offer_days="7")
    assert "The message is on its way to 1 member." in page
    [mail] = [mail for mail in shop.mails() if "We miss you" in mail]
    assert "Our offer for you: your orders earn 2 times the points until" in mail
    cho = logged_in(app, shop, "cho@example.com")
    offer = cho.get(f"/plugins/insights/offers/{message_id}").get_data(as_text=True)
    assert "Your orders earn 2 times the points until" in offer
    assert "Our offer for you: your orders earn 2 times the points until" in cho.get(
        "/account").get_data(as_text=True)
    shop.add(cho, "EQP-GRD-01")  # 69.00: 69 points, doubled
    assert "You earn 138 points on this order" in cho.get("/cart").get_data(as_text=True)
    assert shop.checkout(cho, email="cho@example.com").status_code == 303
    with app.app_context():
        mark_paid(last_order_id(app))
        db.session.commit()
        assert call("points_balance", user_id=cho_id(app))[1] == 138  # pending until the window
    results = owner.get(SEGMENT).get_data(as_text=True)
    assert "with an offer; 1 opened its page, 1 orders used it" in results


def cho_id(app):
    from storefront.accounts.models import User

    return db.session.scalar(select(User.id).where(User.email == "cho@example.com"))


def test_a_points_offer_needs_a_multiplier_above_one(app, shop):
    with app.app_context():
        set_enabled("points", True, actor="test")
    owner = staff_client(app, shop, "owner")
    form = {**_form(owner), "subject": "x", "body": "y", "offer": "points",
            "offer_multiplier": "1", "offer_days": "7", "action": "send"}
    answer = owner.post(f"{SEGMENT}/message", data=form)
    assert answer.status_code == 400
    assert "Give how many times the points, above 1 and at most 10" in answer.get_data(
        as_text=True)
