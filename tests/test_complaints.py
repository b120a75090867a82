"""The complaints plugin through its pages: members and guests file complaints (with
attachments), staff answer them, members read the answers and rate the resolution; every
permission boundary (another member's complaint or file, a guest's order, the rate limit)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from hooks.testing import form_fields
from storefront.accounts.models import User
from storefront.extensions import db
from storefront.orders.models import Order
from tests.complaints_support import (
    PNG,
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
from tests.support.forms import post_form
from tests.test_welcome import staff_client

SKU = "EQP-GRD-01"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def app(make_app):
    return complaints_app(make_app)


def test_a_member_files_with_a_picture_that_only_they_and_staff_open(app, shop):
    mia, _ = member(app, shop)
    ana, _ = member(app, shop, email="ana@example.com", name="Ana")
    answer = file(mia, "It came **broken** <script>alert(1)</script>",
                  files=[(PNG, "photo.png")])
    cid = filed_id(answer)
    page = mia.get(f"/plugins/complaints/{cid}").get_data(as_text=True)
    assert "<strong>broken</strong>" in page and "<script>alert" not in page
    assert "photo.png" in page
    [row] = complaints(app)
    assert row.status == "new" and row.origin == "member" and row.category == "order"
    file_url = f"/plugins/complaints/{cid}/files/1"
    got = mia.get(file_url)
    assert got.status_code == 200 and got.data == PNG
    assert got.headers["Content-Type"] == "image/png"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert "photo.png" in got.headers["Content-Disposition"]
    # Another member, a guest: nothing, as if it did not exist.
    assert ana.get(f"/plugins/complaints/{cid}").status_code == 404
    assert ana.get(file_url).status_code == 404
    assert app.test_client().get(f"/plugins/complaints/{cid}").status_code == 404
    assert app.test_client().get(file_url).status_code == 404
    staff = staff_client(app, shop, "staff")
    assert staff.get(file_url).data == PNG
    # Staff read it on their page, not on the member's.
    assert staff.get(f"/plugins/complaints/{cid}").status_code == 404
    assert "broken" in staff.get(f"/plugins/complaints/staff/{cid}").get_data(as_text=True)


def test_files_are_checked_by_their_content_and_size(app, shop):
    configure(app, attachment_max_kb=10)
    mia, _ = member(app, shop)
    fake = file(mia, files=[(b"<html><script>x</script></html>", "photo.png")])
    assert fake.status_code == 400
    assert "photo.png is not a PNG or JPEG picture or a PDF document." in fake.get_data(
        as_text=True)
    large = file(mia, files=[(PNG + b"\0" * 11 * 1024, "big.png")])
    assert large.status_code == 400 and "big.png is larger than 10 KB." in large.get_data(
        as_text=True)
    assert complaints(app) == []  # nothing is kept of a refused complaint
    pdf = file(mia, files=[(b"%PDF-1.7\n...", "receipt.exe")])
    cid = filed_id(pdf)
    assert mia.get(f"/plugins/complaints/{cid}").get_data(as_text=True).count("receipt.pdf") == 1


def test_a_guest_needs_the_order_number_and_its_email(app, shop):
    guest = app.test_client()
    shop.add(guest, SKU)
    shop.checkout(guest, email="gus@example.com")
    with app.app_context():
        number = db.session.scalar(select(Order).order_by(Order.id.desc())).number
    other = app.test_client()
    wrong = file(other, order=number, email="someone@example.com", name="Eve")
    assert wrong.status_code == 400
    assert "We found no order with that number and e-mail address." in wrong.get_data(
        as_text=True)
    none = file(other, order="", email="gus@example.com", name="Gus")
    assert none.status_code == 400 and complaints(app) == []
    right = file(other, order=number, email="GUS@example.com", name="Gus")
    assert right.status_code == 200
    assert "Our answer will come by e-mail to GUS@example.com" in right.get_data(as_text=True)
    [row] = complaints(app)
    assert row.origin == "guest" and row.user_id is None and row.order_id is not None
    # A member cannot claim another's order either.
    mia, _ = member(app, shop)
    assert file(mia, order=number).status_code == 400
    # The staff reply goes to the guest's address.
    staff = staff_client(app, shop, "staff")
    staff_post(staff, row.id, "entries", {"kind": "reply", "text": "We send a new one."})
    [sent] = messages(app)
    assert sent.email == "GUS@example.com" and sent.user_id is None
    assert "We send a new one." in sent.body


def test_staff_reply_notes_status_and_the_members_rating(app, shop):
    mia, uid = member(app, shop)
    cid = filed_id(file(mia, category="service"))
    staff = staff_client(app, shop, "staff")
    staff_post(staff, cid, "entries", {"kind": "note", "text": "Customer since 2019."})
    staff_post(staff, cid, "entries", {"kind": "reply", "text": "Sorry! A new one is on "
                                                                "its way.",
                                       "then": "waiting"})
    row = complaint(app, cid)
    assert row.status == "waiting" and row.first_reply_at is not None
    [sent] = messages(app)
    assert sent.user_id == uid and sent.kind == "transactional"
    assert sent.subject == f"Reply to your complaint C-{cid}"
    assert "Sorry! A new one is on its way." in sent.body
    assert f"http://localhost/plugins/complaints/{cid}" in sent.body
    page = mia.get(f"/plugins/complaints/{cid}").get_data(as_text=True)
    assert "A new one is on its way." in page and "Customer since 2019." not in page
    assert "waiting for customer" in page
    account = mia.get("/account").get_data(as_text=True)
    assert f"Complaint C-{cid}" in account and "A new one is on its way." in account
    assert "Customer since 2019." not in account
    post_form(mia, f"/plugins/complaints/{cid}", f"/plugins/complaints/{cid}/messages",
              {"text": "Thanks, it arrived."})
    assert complaint(app, cid).status == "in_progress"
    early = post_form(mia, f"/plugins/complaints/{cid}", f"/plugins/complaints/{cid}/rating",
                      {"satisfied": "yes"}, follow_redirects=True)
    assert "once your complaint is resolved" in early.get_data(as_text=True)
    staff_post(staff, cid, "status", {"status": "resolved", "assignee": "me"})
    row = complaint(app, cid)
    assert row.status == "resolved" and row.resolved_at is not None and row.assignee_id
    post_form(mia, f"/plugins/complaints/{cid}", f"/plugins/complaints/{cid}/rating",
              {"satisfied": "yes"})
    assert complaint(app, cid).satisfied is True
    again = post_form(mia, f"/plugins/complaints/{cid}", f"/plugins/complaints/{cid}/rating",
                      {"satisfied": "no"}, follow_redirects=True)
    assert "You already rated this answer." in again.get_data(as_text=True)
    assert complaint(app, cid).satisfied is True
    staff_post(staff, cid, "status", {"status": "closed"})
    closed = mia.post(f"/plugins/complaints/{cid}/messages", data={
        **form_fields(mia.get("/account").get_data(as_text=True), ""), "text": "One more"})
    assert closed.status_code == 409
    assert "This complaint is closed. Please file a new one." in closed.get_data(as_text=True)


def test_staff_hand_a_complaint_to_a_colleague_but_not_to_a_customer(app, shop):
    mia, uid = member(app, shop)
    cid = filed_id(file(mia))
    staff = staff_client(app, shop, "staff")
    staff_client(app, shop, "manager")
    with app.app_context():
        manager_id = db.session.scalar(select(User.id).where(User.email == "manager@example.com"))
    page = staff.get(f"/plugins/complaints/staff/{cid}").get_data(as_text=True)
    assert f'<option value="{manager_id}">' in page
    assert f'<option value="{uid}">' not in page  # customers are not offered
    staff_post(staff, cid, "status", {"status": "in_progress", "assignee": str(manager_id)})
    assert complaint(app, cid).assignee_id == manager_id
    refused = staff_post(staff, cid, "status", {"status": "resolved", "assignee": str(uid)})
    assert "Choose a member of staff as the assignee." in staff.get(
        refused.headers["Location"]).get_data(as_text=True)
    row = complaint(app, cid)
    assert row.assignee_id == manager_id and row.status == "in_progress"  # nothing saved
    # The complaint links to the customer's page, which shows the whole customer.
    assert f'href="/admin/customers/{uid}"' in page
    assert 'data-testid="complaints-customer"' in staff.get(f"/admin/customers/{uid}").get_data(
        as_text=True)


def test_members_and_guests_are_rate_limited(app, shop):
    configure(app, rate_limit_count=2, rate_limit_minutes=60)
    mia, _ = member(app, shop)
    first = filed_id(file(mia))
    post_form(mia, f"/plugins/complaints/{first}", f"/plugins/complaints/{first}/messages",
              {"text": "More details."})
    refused = file(mia)
    assert refused.status_code == 429
    assert "You have sent 2 complaints or messages in the last 60 minutes" in \
        refused.get_data(as_text=True)
    assert len(complaints(app)) == 1
    ana, _ = member(app, shop, email="ana@example.com", name="Ana")
    assert filed_id(file(ana))  # the limit is each person's


def test_staff_pages_are_for_staff(app, shop):
    mia, _ = member(app, shop)
    cid = filed_id(file(mia))
    assert mia.get("/plugins/complaints/staff").status_code == 404
    assert mia.get(f"/plugins/complaints/staff/{cid}").status_code == 404
    assert mia.get("/plugins/complaints/figures").status_code == 404
    staff = staff_client(app, shop, "staff")
    assert staff.get("/plugins/complaints/figures").status_code == 404
    assert staff_client(app, shop, "manager").get("/plugins/complaints/figures") \
        .status_code == 200
    refused = post_form(mia, "/account", f"/plugins/complaints/staff/{cid}/entries",
                        {"kind": "reply", "text": "I answer myself"})
    assert refused.status_code == 404 and messages(app) == []


def _guide_reply(guide: str) -> str:
    """The reply message the owner guide shows, as its quoted lines."""
    quoted = re.search(r"(?ms)^> \*\*(?:Subject|Asunto):\*\* ((?:Reply to|Respuesta a) .*?)"
                       r"\n>\n(.*?)^> Storefront$", guide)
    body = "\n".join(line[2:] for line in quoted.group(2).splitlines())
    return quoted.group(1), body + "\nStorefront"


@pytest.mark.parametrize("language, guide", [("en", "docs/owner-guide.md"),
                                             ("es", "docs/es/owner-guide.md")])
def test_the_reply_message_is_the_one_the_owner_guide_shows(app, shop, language, guide):
    mia, uid = member(app, shop)
    with app.app_context():
        db.session.get(User, uid).language = language
        db.session.commit()
    cid = filed_id(file(mia))
    reply = {"en": "Sorry! A new lid is on its way.",
             "es": "¡Lo sentimos! Una tapa nueva va de camino."}[language]
    staff_post(staff_client(app, shop, "staff"), cid, "entries",
               {"kind": "reply", "text": reply})
    [sent] = messages(app)
    subject, body = _guide_reply((ROOT / guide).read_text())
    shown = body.replace("https://shop.example/plugins/complaints/12",
                         f"http://localhost/plugins/complaints/{cid}")
    assert sent.subject == subject.replace("C-12", f"C-{cid}")
    assert sent.body.strip() == shown.replace("C-12", f"C-{cid}").strip()


def test_a_guest_guessing_order_numbers_is_stopped(app, shop):
    configure(app, rate_limit_count=2, rate_limit_minutes=60)
    guest = app.test_client()
    shop.add(guest, SKU)
    shop.checkout(guest, email="gus@example.com")
    with app.app_context():
        number = db.session.scalar(select(Order).order_by(Order.id.desc())).number
    other = app.test_client()
    for guess in ("SF-000998", "SF-000999"):
        assert file(other, order=guess, email="gus@example.com", name="Eve").status_code == 400
    stopped = file(other, order=number, email="gus@example.com", name="Eve")
    assert stopped.status_code == 429
    assert "Too many tries with a wrong order number or e-mail address." in stopped.get_data(
        as_text=True)
    assert complaints(app) == []


def test_spanish_staff_and_members_read_the_pages_in_spanish(app, shop):
    mia, uid = member(app, shop)
    cid = filed_id(file(mia))
    manager = staff_client(app, shop, "manager")
    with app.app_context():
        for user in db.session.scalars(select(User).where(User.id.in_(
                [uid, db.session.scalar(select(User.id).where(
                    User.email == "manager@example.com"))]))):
            user.language = "es"
        db.session.commit()
    staff_post(manager, cid, "goodwill", {"kind": "points", "value": "20"})
    detail = manager.get(f"/plugins/complaints/staff/{cid}").get_data(as_text=True)
    assert "Reclamación C-" in detail and "20 puntos" in detail and "Aprobar" in detail
    assert "nueva" in manager.get("/plugins/complaints/staff").get_data(as_text=True)
    figures = manager.get("/plugins/complaints/figures").get_data(as_text=True)
    assert "Cifras del servicio" in figures and "Por categoría" in figures
    form = mia.get("/plugins/complaints/new").get_data(as_text=True)
    assert "Una queja o reclamación" in form and "nuestro servicio" in form
    assert "Quejas y reclamaciones" in mia.get("/account").get_data(as_text=True)
