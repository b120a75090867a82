"""Separation of duties (issue 20 point 4), attacked over HTTP: nobody grants themself points
or settles their own order; a large points correction waits for a manager or the owner who
is neither the one who asked nor the member, and is applied once."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from hooks.testing import csrf_token, flash_messages
from loyalty_plugins.points.models import PointsAdjustment, PointsEntry
from storefront.accounts.models import User
from storefront.extensions import db
from storefront.orders.models import Order, OrderStatus, Refund
from tests.points_support import balance, last_order_id, loyalty_app, member
from tests.support.forms import post_form
from tests.test_admin import staff_client
from tests.test_concurrency import POOL, run_together
from tests.test_stripe_payments import admin_refund, log_in_owner

AUDIT = "/plugins/points/staff/adjustments"


@pytest.fixture
def app(make_app):
    return loyalty_app(make_app)


def account_id(app, email: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.email == email))


def correct(client, user_id: int, points: int, reason: str = "parcel lost, goodwill"):
    page = f"/plugins/points/staff/{user_id}"
    return post_form(client, page, page, {"points": str(points), "reason": reason})


def decide(client, adjustment_id: int, action: str, note: str = ""):
    return post_form(client, AUDIT, f"{AUDIT}/{adjustment_id}/{action}", {"note": note})


def messages(client, response) -> list[str]:
    assert response.status_code == 303, response.status_code
    return [text for _category, text in
            flash_messages(client.get(response.headers["Location"]).get_data(as_text=True))]


def only_adjustment(app) -> PointsAdjustment:
    with app.app_context():
        rows = db.session.scalars(select(PointsAdjustment)).all()
        assert len(rows) == 1, rows
        db.session.expunge(rows[0])
        return rows[0]


def adjust_entries(app, user_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(PointsEntry.id)).where(
            PointsEntry.user_id == user_id, PointsEntry.kind == "adjust"))


def audit_row(client, adjustment_id: int) -> str:
    html = client.get(AUDIT).get_data(as_text=True)
    start = html.index(f'data-testid="adjustment-{adjustment_id}"')
    return html[start:html.index("</tr>", start)]


# --- points --------------------------------------------------------------------------------


def test_staff_cannot_grant_themself_points(app, shop):
    staff = staff_client(app, shop, "staff")
    own = account_id(app, "staff@example.com")
    assert "These are your own points" in staff.get(f"/plugins/points/staff/{own}").get_data(
        as_text=True)
    answer = correct(staff, own, 1_000_000, "bonus for me")
    assert answer.status_code == 403
    assert "You cannot change your own points; ask another member of staff." in (
        answer.get_data(as_text=True))
    assert balance(app, own) == (0, 0, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count(PointsAdjustment.id))) == 0


def test_a_correction_above_the_limit_waits_and_changes_nothing(app, shop):
    _mia, uid = member(app, shop)
    staff = staff_client(app, shop, "staff")
    said = messages(staff, correct(staff, uid, 5000))
    assert said == ["+5,000 points for mia@example.com is more than 1,000 points, so it waits "
                    "for a manager or the owner to approve it; the balance does not change "
                    "until then."]
    assert balance(app, uid) == (0, 0, 0)
    request = only_adjustment(app)
    assert request.status == "pending" and request.requester == "staff@example.com"
    assert "+5,000 points, asked by staff@example.com" in staff.get(
        f"/plugins/points/staff/{uid}").get_data(as_text=True)
    # Staff see it waiting but cannot decide on it.
    row = audit_row(staff, request.id)
    assert "mia@example.com" in row and "+5,000" in row and "parcel lost, goodwill" in row
    assert "Only a manager or the owner approves or rejects a correction." in row
    assert "Approve" not in row
    assert decide(staff, request.id, "approve").status_code == 403
    assert balance(app, uid) == (0, 0, 0)
    # At the limit it applies at once, and is on record too.
    messages(staff, correct(staff, uid, 1000, "birthday"))
    assert balance(app, uid) == (1000, 0, 0)
    html = staff.get(AUDIT).get_data(as_text=True)
    assert "birthday" in html and "no approval needed" in html


def test_a_large_correction_split_into_small_ones_waits_once_they_add_up(app, shop):
    _mia, uid = member(app, shop)
    staff = staff_client(app, shop, "staff")
    assert messages(staff, correct(staff, uid, 600)) == [
        "+600 points for mia@example.com: parcel lost, goodwill"]
    assert messages(staff, correct(staff, uid, -600, "taken back")) == [
        "-600 points for mia@example.com, with the 600 points you corrected for this member "
        "in the last 24 hours, is more than 1,000 points, so it waits for a manager or the "
        "owner to approve it; the balance does not change until then."]
    assert balance(app, uid)[0] == 600
    # Another member of staff has a limit of their own; the first one's resets a day later.
    colleague = staff_client(app, shop, "staff", email="sam@example.com")
    messages(colleague, correct(colleague, uid, 400))
    assert balance(app, uid)[0] == 1000
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=24, minutes=1)):
        messages(staff, correct(staff, uid, 1000, "next day"))
    assert balance(app, uid)[0] == 2000
    with app.app_context():
        statuses = db.session.scalars(select(PointsAdjustment.status)
                                      .order_by(PointsAdjustment.id)).all()
    assert statuses == ["applied", "pending", "applied", "applied"]


def test_the_requester_cannot_approve_their_own_request(app, shop):
    _mia, uid = member(app, shop)
    manager = staff_client(app, shop, "manager")
    correct(manager, uid, 5000)
    request = only_adjustment(app)
    assert "You asked for this correction" in audit_row(manager, request.id)
    for action in ("approve", "reject"):
        answer = decide(manager, request.id, action, "changed my mind")
        assert answer.status_code == 403
        assert ("You asked for this correction; another manager or the owner decides on it."
                in answer.get_data(as_text=True))
    assert balance(app, uid) == (0, 0, 0) and only_adjustment(app).status == "pending"


def test_a_manager_cannot_approve_a_correction_of_their_own_points(app, shop):
    staff = staff_client(app, shop, "staff")
    manager = staff_client(app, shop, "manager")
    own = account_id(app, "manager@example.com")
    correct(staff, own, 5000, "for all the overtime")
    request = only_adjustment(app)
    for action in ("approve", "reject"):
        answer = decide(manager, request.id, action, "no")
        assert answer.status_code == 403
        assert "This correction is for your own points" in answer.get_data(as_text=True)
    assert balance(app, own) == (0, 0, 0) and only_adjustment(app).status == "pending"


def test_a_manager_approves_and_it_applies_once_on_record(app, shop):
    mia, uid = member(app, shop)
    staff = staff_client(app, shop, "staff")
    manager = staff_client(app, shop, "manager")
    correct(staff, uid, 5000)
    request = only_adjustment(app)
    assert 'action="/plugins/points/staff/adjustments/' in audit_row(manager, request.id)
    assert messages(manager, decide(manager, request.id, "approve")) == [
        "+5,000 points for mia@example.com: approved and applied."]
    assert balance(app, uid) == (5000, 0, 0)
    assert messages(manager, decide(manager, request.id, "approve")) == [
        "This correction was already approved by manager@example.com."]
    assert balance(app, uid) == (5000, 0, 0) and adjust_entries(app, uid) == 1
    row = audit_row(manager, only_adjustment(app).id)
    for shown in ("staff@example.com", "mia@example.com", "+5,000", "parcel lost, goodwill",
                  "Applied", "manager@example.com"):
        assert shown in row, shown
    history = mia.get("/plugins/points/history").get_data(as_text=True)
    assert "staff@example.com, approved by manager@example.com" in history


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_managers_approving_at_once_apply_it_once(make_app, shop):
    app = loyalty_app(make_app, **POOL)
    _mia, uid = member(app, shop)
    staff = staff_client(app, shop, "staff")
    managers = [staff_client(app, shop, "manager", f"manager{i}@example.com") for i in (1, 2)]
    for attempt in range(3):
        correct(staff, uid, 5000, f"goodwill {attempt}")
        with app.app_context():
            request_id = db.session.scalar(select(func.max(PointsAdjustment.id)))
        url = f"{AUDIT}/{request_id}/approve"
        tokens = [csrf_token(m.get(AUDIT).get_data(as_text=True)) for m in managers]
        answers = run_together([
            lambda m=m, t=t: m.post(url, data={"csrf_token": t}) for m, t in zip(managers, tokens)])
        said = sorted(text for m, a in zip(managers, answers) for text in messages(m, a))
        assert said[0] == "+5,000 points for mia@example.com: approved and applied.", said
        assert said[1].startswith("This correction was already approved by manager"), said
        assert balance(app, uid) == (5000 * (attempt + 1), 0, 0)
        assert adjust_entries(app, uid) == attempt + 1


def test_two_small_corrections_sent_at_once_by_one_person_are_not_both_applied(make_app, shop):
    app = loyalty_app(make_app, **POOL)
    _mia, uid = member(app, shop)
    desks = [staff_client(app, shop, "staff")]
    desks.append(app.test_client())  # the same person in a second browser
    shop.login(desks[1], "staff@example.com", "correct horse battery")
    page = f"/plugins/points/staff/{uid}"
    tokens = [csrf_token(desk.get(page).get_data(as_text=True)) for desk in desks]
    answers = run_together([
        lambda d=d, t=t: d.post(page, data={"csrf_token": t, "points": "600",
                                            "reason": "goodwill"})
        for d, t in zip(desks, tokens)])
    assert [a.status_code for a in answers] == [303, 303]
    assert balance(app, uid)[0] == 600
    with app.app_context():
        statuses = sorted(db.session.scalars(select(PointsAdjustment.status)).all())
    assert statuses == ["applied", "pending"]


def test_a_rejected_correction_changes_nothing(app, shop):
    _mia, uid = member(app, shop)
    staff = staff_client(app, shop, "staff")
    owner = log_in_owner(app, shop)
    correct(staff, uid, -5000, "take back the welcome gift")
    request = only_adjustment(app)
    manager = staff_client(app, shop, "manager")
    assert messages(manager, decide(manager, request.id, "approve")) == [
        "The member has only 0 points to take from."]
    assert only_adjustment(app).status == "pending"
    assert messages(owner, decide(owner, request.id, "reject")) == [
        "Say why you reject the correction: it is kept on record."]
    assert only_adjustment(app).status == "pending"
    assert messages(owner, decide(owner, request.id, "reject", "no such gift")) == [
        "-5,000 points for mia@example.com: rejected."]
    assert messages(owner, decide(owner, request.id, "approve")) == [
        "This correction was already rejected by owner@example.com."]
    assert balance(app, uid) == (0, 0, 0) and adjust_entries(app, uid) == 0
    row = audit_row(owner, request.id)
    assert "Rejected: no such gift" in row and "owner@example.com" in row


def test_customers_cannot_open_the_audit_view_or_decide(app, shop, client):
    mia, uid = member(app, shop)
    staff = staff_client(app, shop, "staff")
    correct(staff, uid, 5000)
    request = only_adjustment(app)
    for visitor in (mia, client):
        assert visitor.get(AUDIT).status_code == 404
        token = csrf_token(visitor.get("/login").get_data(as_text=True))
        assert visitor.post(f"{AUDIT}/{request.id}/approve",
                            data={"csrf_token": token}).status_code == 404
    assert balance(app, uid) == (0, 0, 0)
    assert f'href="{AUDIT}"' in staff.get(f"/plugins/points/staff/{uid}").get_data(as_text=True)


# --- orders --------------------------------------------------------------------------------


def own_order(app, shop, client) -> tuple[int, str]:
    """An order the logged-in ``client`` places for themself: (id, its admin page)."""
    shop.add(client, "EQP-GRD-01")
    assert shop.checkout(client).status_code == 303
    order_id = last_order_id(app)
    return order_id, f"/admin/orders/{order_id}"


def order_state(app, order_id: int) -> tuple[str, int, int]:
    with app.app_context():
        order = db.session.get(Order, order_id)
        refunds = db.session.scalar(select(func.count(Refund.id)).where(
            Refund.order_id == order_id))
        return order.status, order.refunded_total, refunds


def refused(answer, text: str) -> bool:
    return answer.status_code == 403 and text in answer.get_data(as_text=True)


def test_staff_cannot_mark_their_own_order_paid(app, shop):
    staff = staff_client(app, shop, "staff")
    order_id, page = own_order(app, shop, staff)
    assert "This is your own order" in staff.get(page).get_data(as_text=True)
    assert refused(post_form(staff, page, f"{page}/mark-paid", {}),
                   "You cannot mark your own order as paid; ask another member of staff.")
    assert order_state(app, order_id) == (OrderStatus.AWAITING_PAYMENT, 0, 0)
    # A guest order with their e-mail address is theirs too.
    guest = app.test_client()
    shop.add(guest, "EQP-GRD-01")
    shop.checkout(guest, email="Staff@Example.com")
    guest_page = f"/admin/orders/{last_order_id(app)}"
    assert refused(post_form(staff, guest_page, f"{guest_page}/mark-paid", {}),
                   "You cannot mark your own order as paid")
    assert order_state(app, last_order_id(app)) == (OrderStatus.AWAITING_PAYMENT, 0, 0)
    colleague = staff_client(app, shop, "staff", "colleague@example.com")
    post_form(colleague, page, f"{page}/mark-paid", {})
    assert order_state(app, order_id) == (OrderStatus.PAID, 0, 0)


def test_a_manager_cannot_cancel_or_refund_their_own_order(app, shop):
    manager = staff_client(app, shop, "manager")
    order_id, page = own_order(app, shop, manager)
    assert refused(post_form(manager, page, f"{page}/cancel", {}),
                   "You cannot cancel your own order; ask another manager.")
    assert order_state(app, order_id) == (OrderStatus.AWAITING_PAYMENT, 0, 0)
    colleague = staff_client(app, shop, "staff")
    post_form(colleague, page, f"{page}/mark-paid", {})
    assert 'name="amount"' not in manager.get(page).get_data(as_text=True)
    assert refused(admin_refund(manager, order_id, "69.00", "changed my mind"),
                   "You cannot refund your own order; ask another manager.")
    assert order_state(app, order_id) == (OrderStatus.PAID, 0, 0)
