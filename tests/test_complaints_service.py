"""The complaints plugin behind the pages: goodwill approved by decision level and granted
once, survey detractors opening follow-ups once per event, service targets and the figures
against hand-computed values, the managers' daily digest, and the staff customer page."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hooks import Event, call, today, utcnow
from loyalty_plugins.complaints import digest
from loyalty_plugins.complaints import plugin as complaints_plugin
from loyalty_plugins.complaints.figures import figures
from loyalty_plugins.complaints.models import Complaint, Digest
from loyalty_plugins.insights import snapshot
from loyalty_plugins.points.models import PointsEntry
from storefront.cli import main
from storefront.events.record import record
from storefront.extensions import db
from storefront.orders.models import Order
from storefront.orders.service import mark_paid
from storefront.plugins.state import set_enabled
from storefront.worker import deliver_due
from tests.complaints_support import (
    complaint,
    complaints,
    complaints_app,
    configure,
    file,
    filed_id,
    messages,
    staff_post,
)
from tests.points_support import member
from tests.test_welcome import staff_client


@pytest.fixture
def app(make_app):
    return complaints_app(make_app)


def goodwill_points(app, uid):
    with app.app_context():
        return [(e.delta, e.reason) for e in db.session.scalars(
            select(PointsEntry).where(PointsEntry.user_id == uid,
                                      PointsEntry.reason.like("goodwill%")))]


def test_staff_approve_up_to_the_limit_and_managers_above_it(app, shop):
    configure(app, staff_points_limit=500, staff_amount_limit=1000)
    mia, uid = member(app, shop)
    cid = filed_id(file(mia))
    staff = staff_client(app, shop, "staff")
    staff_post(staff, cid, "goodwill", {"kind": "points", "value": "800"})
    page = staff.get(f"/plugins/complaints/staff/{cid}").get_data(as_text=True)
    assert "800 points" in page and "a manager approves" in page
    assert 'value="approve"' not in page  # no button for what staff may not approve
    refused = staff_post(staff, cid, "goodwill/1", {"action": "approve"})
    assert refused.status_code == 403
    assert "above what staff may approve" in refused.get_data(as_text=True)
    assert goodwill_points(app, uid) == []
    manager = staff_client(app, shop, "manager")
    staff_post(manager, cid, "goodwill/1", {"action": "approve"})
    assert goodwill_points(app, uid) == [(800, f"goodwill for complaint C-{cid}")]
    twice = staff_post(manager, cid, "goodwill/1", {"action": "approve"})
    assert "Someone decided this goodwill already." in manager.get(
        twice.headers["Location"]).get_data(as_text=True)
    assert len(goodwill_points(app, uid)) == 1
    # A reward within the limit: staff approve it themselves.
    staff_post(staff, cid, "goodwill", {"kind": "reward", "value": "7.50"})
    staff_post(staff, cid, "goodwill/2", {"action": "approve"})
    with app.app_context():
        assert call("rewards_status", key=f"complaint:{cid}:2") == "available"
        described = call("rewards_describe", key=f"complaint:{cid}:2")
    assert described["label"] == f"Goodwill gesture for complaint C-{cid}"
    assert described["offer"] == "€7.50 off"
    assert "Goodwill gesture for complaint" in mia.get("/account").get_data(as_text=True)


def test_nobody_decides_goodwill_on_their_own_complaint(app, shop):
    manager = staff_client(app, shop, "manager")
    cid = filed_id(file(manager))
    staff_post(manager, cid, "goodwill", {"kind": "points", "value": "10"})
    assert staff_post(manager, cid, "goodwill/1", {"action": "approve"}).status_code == 403


def _detractor(app, uid, order_id=None) -> str:
    with app.app_context():
        event = record("surveys.detractor", aggregate_type="customer", aggregate_id=uid,
                       payload={"answer_id": 7, "user_id": uid, "order_id": order_id,
                                "score": 3, "comment": "Slow delivery."}, source="surveys")
        db.session.commit()
        deliver_due()
        return event.uid


def test_a_survey_detractor_opens_one_follow_up(app, shop):
    mia, uid = member(app, shop)
    event_id = _detractor(app, uid)
    [row] = complaints(app)
    assert (row.category, row.status, row.origin, row.user_id) == (
        "follow-up", "new", "surveys", uid)
    assert row.text == "NPS 3. Slow delivery."
    with app.app_context():  # the same event delivered again
        again = Event(id=event_id, type="surveys.detractor", version=1,
                      aggregate_type="customer", aggregate_id=str(uid),
                      payload={"answer_id": 7, "user_id": uid, "order_id": None, "score": 3,
                               "comment": "Slow delivery."},
                      occurred_at=utcnow(), source="surveys")
        complaints_plugin.shop_event(again)
        db.session.commit()
    assert len(complaints(app)) == 1
    # The member does not see the task until staff answer them.
    assert mia.get(f"/plugins/complaints/{row.id}").status_code == 404
    staff = staff_client(app, shop, "staff")
    staff_post(staff, row.id, "entries", {"kind": "reply", "text": "We are sorry."})
    assert "We are sorry." in mia.get(f"/plugins/complaints/{row.id}").get_data(as_text=True)


def test_overdue_complaints_are_marked_for_staff(app, shop):
    configure(app, sla=[{"category": "order", "first_reply_hours": 2,
                         "resolution_days": 3}])
    mia, _ = member(app, shop)
    late = filed_id(file(mia))
    fresh = filed_id(file(mia, category="product"))
    with app.app_context():
        row = db.session.get(Complaint, late)
        assert row.first_reply_due - row.created_at == timedelta(hours=2)
        assert row.resolution_due - row.created_at == timedelta(days=3)
        fresh_row = db.session.get(Complaint, fresh)  # no row: 48 hours, 14 days
        assert fresh_row.first_reply_due - fresh_row.created_at == timedelta(hours=48)
        row.first_reply_due = utcnow() - timedelta(minutes=1)
        db.session.commit()
    staff = staff_client(app, shop, "staff")
    listing = staff.get("/plugins/complaints/staff").get_data(as_text=True)
    assert listing.count('data-overdue="1"') == 1 and "overdue" in listing
    assert "Overdue: a service target was missed." in staff.get(
        f"/plugins/complaints/staff/{late}").get_data(as_text=True)


def _row(created, category="order", status="new", first_reply=None, resolved=None,
         satisfied=None, hours=24, days=7):
    return Complaint(user_id=None, email="x@example.com", name="X", origin="guest", filer="",
                     kind="complaint", category=category, about="", order_id=None, text="t",
                     status=status, created_at=created, first_reply_at=first_reply,
                     resolved_at=resolved, first_reply_due=created + timedelta(hours=hours),
                     resolution_due=created + timedelta(days=days), satisfied=satisfied,
                     rated_at=resolved if satisfied is not None else None)


def test_figures_against_hand_computed_values(app):
    start = datetime(2026, 3, 1)
    now = datetime(2026, 3, 20)
    day = timedelta(days=1)
    hour = timedelta(hours=1)
    with app.app_context():
        db.session.add_all([
            # answered in 1 h, resolved in 2 days, satisfied: within
            _row(start, first_reply=start + hour, resolved=start + 2 * day,
                 status="resolved", satisfied=True),
            # answered in 30 h (target 24): missed, resolved, not satisfied
            _row(start + day, category="product", first_reply=start + day + 30 * hour,
                 resolved=start + 3 * day, status="closed", satisfied=False),
            # answered in 3 h, still open past its 7 days on the 20th: missed
            _row(start + 2 * day, first_reply=start + 2 * day + 3 * hour,
                 status="in_progress"),
            # open, not answered, still in time: neither
            _row(now - hour, category="service", status="new"),
            # outside the period
            _row(datetime(2026, 2, 27), status="new"),
        ])
        db.session.commit()
        found = figures(start, datetime(2026, 4, 1), now)
    assert found["complaints"] == 4
    assert found["by_category"] == {"order": 2, "product": 1, "service": 1}
    assert found["by_status"] == {"resolved": 1, "closed": 1, "in_progress": 1, "new": 1}
    assert found["median_first_reply_minutes"] == 180  # of 60, 1800 and 180 minutes
    assert (found["within_sla"], found["missed_sla"], found["within_sla_percent"]) == (1, 2, 33)
    assert (found["rated"], found["satisfied"], found["satisfied_percent"]) == (2, 1, 50)


def test_the_figures_hook_and_page(app, shop):
    mia, _ = member(app, shop)
    filed_id(file(mia))
    with app.app_context():
        found = call("complaints_figures", start=utcnow() - timedelta(days=1),
                     end=utcnow() + timedelta(days=1))
    assert found["complaints"] == 1 and found["median_first_reply_minutes"] is None
    page = staff_client(app, shop, "manager").get("/plugins/complaints/figures")
    text = page.get_data(as_text=True)
    assert 'data-testid="fig-complaints">1<' in text


def test_the_daily_digest_goes_to_managers_once_a_shop_day(make_app, shop):
    app = complaints_app(make_app, SHOP_TIMEZONE="Pacific/Auckland")
    shop.app = app
    mia, _ = member(app, shop)
    filed_id(file(mia))
    shop.create_user("manager@example.com", role="manager", name="Maya")
    shop.create_user("staff@example.com", role="staff", name="Sam")
    result = app.test_cli_runner().invoke(main, ["jobs", "run"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert digest.send(utcnow()) is False  # the same shop day: sent by the job
        db.session.commit()
        [day] = db.session.scalars(select(Digest.day)).all()
        assert day == today()
    [sent] = messages(app)
    assert sent.email == "manager@example.com"
    assert "1 complaint is open today." in sent.body and "C-1" in sent.body


def test_the_staff_customer_page_shows_complaints_and_links_back(app, shop):
    mia, uid = member(app, shop)
    cid = filed_id(file(mia))
    staff = staff_client(app, shop, "staff")
    staff_post(staff, cid, "goodwill", {"kind": "reward", "value": "5"})
    staff_post(staff, cid, "goodwill/1", {"action": "approve"})
    detail = staff.get(f"/plugins/complaints/staff/{cid}").get_data(as_text=True)
    assert f'href="/admin/customers/{uid}"' in detail
    page = staff.get(f"/admin/customers/{uid}").get_data(as_text=True)
    assert 'data-testid="complaints-customer"' in page and f"C-{cid}" in page
    assert 'data-testid="rewards-customer"' in page  # the other plugins' panels too
    assert mia.get(f"/admin/customers/{uid}").status_code in (403, 404)
    assert complaint(app, cid).status == "new"


def test_the_customer_page_shows_each_plugins_part_by_role(make_app, shop):
    """Staff see the complaints and the rewards; the customer's segment and value (insights)
    only managers and the owner."""
    app = complaints_app(make_app)
    with app.app_context():
        set_enabled("insights", True, actor="test")
    shop.app = app
    mia, uid = member(app, shop)
    shop.add(mia, "EQP-GRD-01")
    shop.checkout(mia, email="mia@example.com")
    with app.app_context():
        mark_paid(db.session.scalar(select(Order.id).where(Order.user_id == uid)))
        db.session.commit()
        snapshot.refresh(utcnow())
        db.session.commit()
    filed_id(file(mia))
    staff = staff_client(app, shop, "staff").get(f"/admin/customers/{uid}").get_data(
        as_text=True)
    manager = staff_client(app, shop, "manager").get(f"/admin/customers/{uid}").get_data(
        as_text=True)
    assert 'data-testid="complaints-customer"' in staff
    assert 'data-testid="complaints-customer"' in manager
    assert 'data-testid="insights-customer"' not in staff
    assert 'data-testid="insights-customer"' in manager
