"""The events plugin: who may register, seats and waitlist, tickets, check-in, paid tickets
through the cart, invitations, the owner's lists."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hooks import get_order
from loyalty_plugins.events.models import Event
from storefront.cli import main
from storefront.extensions import db
from storefront.jobs import run_due
from storefront.orders.service import cancel_order, mark_paid, record_refund
from tests.events_support import (
    GOLD_ONLY_TEXT,
    MEMBERS_ONLY_TEXT,
    event_file,
    events_app,
    gold_member,
    registrations,
)
from tests.points_support import balance, last_order_id, member
from tests.support.forms import csrf_token, post_form


@pytest.fixture
def app(make_app, tmp_path):
    return events_app(make_app, tmp_path)


def page(client, url):
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def register(client, slug, guests=0):
    return post_form(client, f"/events/{slug}", f"/events/{slug}/register",
                     {"guests": str(guests)})


def staff_client(app, shop, role="staff"):
    shop.create_user(f"{role}@example.com", role=role, name=role.title())
    client = app.test_client()
    shop.login(client, f"{role}@example.com", "correct horse battery")
    return client


def test_guests_and_members_below_the_tier_see_what_unlocks_it(app, shop, client):
    status, html = page(client, "/events/")
    assert status == 200 and "Gold Evening" in html and "Cupping" in html
    status, html = page(client, "/events/gold-evening")
    assert status == 200 and "Join the club" in html and GOLD_ONLY_TEXT not in html
    status, html = page(client, "/events/cupping")
    assert "Join the club" in html and MEMBERS_ONLY_TEXT not in html
    basic, _ = member(app, shop)
    status, html = page(basic, "/events/gold-evening")
    assert "Reach Gold to register" in html and GOLD_ONLY_TEXT not in html
    assert 'action="/events/gold-evening/register"' not in html
    status, html = page(basic, "/events/cupping")
    assert MEMBERS_ONLY_TEXT in html and "Register" in html


def test_no_route_registers_a_guest_or_a_member_below_the_tier(app, shop, client):
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/events/cupping/register",
                           data={"csrf_token": token, "guests": "0"})
    assert response.status_code == 403 and "Join the club" in response.get_data(as_text=True)
    response = client.post("/cart/add", data={"sku": "EVENT-BLENDING", "quantity": "1"},
                           headers={"Origin": "http://localhost"})
    assert response.status_code == 403 and "Join the club" in response.get_data(as_text=True)
    basic, _ = member(app, shop)
    response = register(basic, "gold-evening")
    assert response.status_code == 403
    assert "Reach Gold to register" in response.get_data(as_text=True)
    # The cart route: a Silver ticket for a member below Silver.
    response = post_form(basic, "/events/blending", "/cart/add",
                         {"sku": "EVENT-BLENDING", "quantity": "1"})
    assert response.status_code == 403 and "Reach Silver" in response.get_data(as_text=True)
    assert "Ticket: Blending" not in basic.get("/cart").get_data(as_text=True)
    assert registrations(app) == []


def test_register_with_guests_then_waitlist_in_order_and_promotion_on_cancel(app, shop):
    clients = [member(app, shop, email=f"m{i}@example.com", name=f"M{i}") for i in range(4)]
    assert register(clients[0][0], "cupping", guests=1).status_code == 303  # 2 of 3 seats
    html = clients[0][0].get("/events/cupping").get_data(as_text=True)
    assert "You are registered with 1 guest" in html and "1 left" in html
    register(clients[1][0], "cupping", guests=1)  # does not fit: waitlist 1
    register(clients[2][0], "cupping")  # fits, but someone waits: waitlist 2, no queue jumping
    rows = registrations(app, "cupping")
    assert [(r.status, r.waitlist_position) for r in rows] == [
        ("confirmed", None), ("waitlisted", 1), ("waitlisted", 2)]
    assert "number 1 on the waitlist" in clients[1][0].get(
        "/events/cupping").get_data(as_text=True)
    # Registering twice changes nothing.
    register(clients[0][0], "cupping")
    assert len(registrations(app, "cupping")) == 3
    # The first member cancels: two seats free; the first in line (a party of 2) gets them,
    # then the seat left goes to the next in line.
    first = rows[0]
    post_form(clients[0][0], "/events/cupping",
              f"/events/registrations/{first.id}/cancel", {})
    rows = registrations(app, "cupping")
    assert [(r.status, r.waitlist_position) for r in rows] == [
        ("cancelled", None), ("confirmed", None), ("confirmed", None)]
    promoted = [mail for mail in shop.mails() if "A seat is yours" in mail]
    assert len(promoted) == 2 and "m1@example.com" in promoted[0]
    with app.app_context():
        assert db.session.scalar(select(Event.seats_taken).where(Event.slug == "cupping")) == 3
    # A late comer waits; one cancellation then promotes exactly one member.
    register(clients[3][0], "cupping")
    post_form(clients[2][0], "/events/cupping",
              f"/events/registrations/{rows[2].id}/cancel", {})
    assert [r.status for r in registrations(app, "cupping")] == [
        "cancelled", "confirmed", "cancelled", "confirmed"]


def test_a_member_cannot_see_or_cancel_another_members_ticket(app, shop):
    ana, _ = member(app, shop, email="ana@example.com")
    bob, _ = member(app, shop, email="bob@example.com")
    register(ana, "cupping")
    [reg] = registrations(app)
    assert ana.get(f"/events/tickets/{reg.id}").status_code == 200
    assert bob.get(f"/events/tickets/{reg.id}").status_code == 404
    assert bob.get(f"/events/tickets/{reg.id}/event.ics").status_code == 404
    token = csrf_token(bob.get("/account").get_data(as_text=True))
    assert bob.post(f"/events/registrations/{reg.id}/cancel",
                    data={"csrf_token": token}).status_code == 404
    assert registrations(app)[0].status == "confirmed"


def test_ticket_qr_ics_and_check_in_with_attendance_points(app, shop):
    client, uid = member(app, shop)
    register(client, "cupping", guests=1)
    [reg] = registrations(app)
    status, html = page(client, f"/events/tickets/{reg.id}")
    assert status == 200 and "<svg" in html and "+ 1 guest" in html
    ics = client.get(f"/events/tickets/{reg.id}/event.ics")
    body = ics.get_data(as_text=True)
    assert ics.mimetype == "text/calendar" and "BEGIN:VEVENT" in body
    assert "SUMMARY:Cupping" in body and "LOCATION:The roastery" in body
    assert "DTSTART" in body and "DTEND" in body
    assert "cupping" in client.get("/account").get_data(as_text=True)
    # Shoppers cannot reach the check-in desk; staff can, once per ticket.
    assert client.get(f"/events/checkin/{reg.token}").status_code == 404
    staff = staff_client(app, shop)
    status, html = page(staff, f"/events/checkin?token=http://x/events/"
                               f"checkin/{reg.token}")
    assert status == 302 or "Mia" in html
    status, html = page(staff, f"/events/checkin/{reg.token}")
    assert status == 200 and "Mia" in html and "2 people" in html
    before = balance(app, uid)[0]
    url = f"/events/checkin/{reg.token}"
    post_form(staff, url, url, {})
    assert balance(app, uid)[0] == before + 50
    assert registrations(app)[0].checked_in_at is not None
    token = csrf_token(staff.get("/events/checkin").get_data(as_text=True))
    again = staff.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "already used" in again.get_data(as_text=True)
    assert balance(app, uid)[0] == before + 50
    assert staff.get("/events/checkin/not-a-ticket").status_code == 404


def test_staff_cannot_check_in_their_own_ticket_for_the_attendance_points(app, shop):
    staff = staff_client(app, shop)
    register(staff, "cupping")
    [reg] = registrations(app)
    url = f"/events/checkin/{reg.token}"
    answer = post_form(staff, url, url, {})
    assert answer.status_code == 403
    assert "You cannot check in your own ticket; ask another member of staff." in (
        answer.get_data(as_text=True))
    assert registrations(app)[0].checked_in_at is None
    assert balance(app, reg.user_id)[0] == 0
    colleague = staff_client(app, shop, "manager")
    assert post_form(colleague, url, url, {}).status_code == 303
    assert registrations(app)[0].checked_in_by == "manager@example.com"
    assert balance(app, reg.user_id)[0] == 50


def test_paid_ticket_goes_through_cart_with_tier_discount_and_refund_frees_the_seat(app, shop):
    client, uid = gold_member(app, shop)  # Gold is above Silver
    response = post_form(client, "/events/blending", "/cart/add",
                         {"sku": "EVENT-BLENDING", "quantity": "2"})
    assert response.status_code == 303
    cart = client.get("/cart").get_data(as_text=True)
    assert "Ticket: Blending" in cart and "Gold" in cart  # the tier discount line
    assert client.get("/products/events-event-blending").headers["Location"].endswith(
        "/events/blending")
    shop.checkout(client)
    order_id = last_order_id(app)
    [reg] = registrations(app, "blending")
    assert (reg.status, reg.guests, reg.order_id) == ("pending", 1, order_id)
    with app.app_context():
        mark_paid(order_id)
    assert registrations(app, "blending")[0].status == "confirmed"
    assert any("Your ticket: Blending" in mail for mail in shop.mails())
    with app.app_context():
        assert db.session.scalar(select(Event.seats_taken).where(Event.slug == "blending")) == 2
        order = get_order(order_id)
        record_refund(order_id, "re_1", order.total - order.shipping, "")
    assert registrations(app, "blending")[0].status == "cancelled"
    with app.app_context():
        assert db.session.scalar(select(Event.seats_taken).where(Event.slug == "blending")) == 0


def test_a_cancelled_order_releases_its_seats_and_sold_out_refuses_checkout(app, shop):
    client, _ = gold_member(app, shop)
    post_form(client, "/events/blending", "/cart/add",
              {"sku": "EVENT-BLENDING", "quantity": "2"})
    shop.checkout(client)
    first = last_order_id(app)
    other, _ = gold_member(app, shop, email="otto@example.com", name="Otto")
    post_form(other, "/events/blending", "/cart/add",
              {"sku": "EVENT-BLENDING", "quantity": "2"})
    shop.checkout(other)  # takes the last 2 of 4 seats
    third, _ = gold_member(app, shop, email="tess@example.com", name="Tess")
    html = third.get("/events/blending").get_data(as_text=True)
    assert "Sold out" in html
    with app.app_context():
        cancel_order(first, "payment failed")
    assert [r.status for r in registrations(app, "blending")] == ["cancelled", "pending"]
    assert "Add tickets to cart" in third.get("/events/blending").get_data(as_text=True)


def test_invitations_go_once_to_eligible_members_who_accept_marketing(app, shop):
    member(app, shop, email="ana@example.com", name="Ana")
    gold_member(app, shop, email="gina@example.com", name="Gina")
    with app.app_context():
        run_due(force=True)
    mails = [m for m in shop.mails() if "You are invited" in m]
    gold = [m for m in mails if "Gold Evening" in m]
    assert gold and all("gina@example.com" in m for m in gold)
    assert any("ana@example.com" in m and "Cupping" in m for m in mails)
    count = len(mails)
    with app.app_context():
        run_due(force=True)
    assert len([m for m in shop.mails() if "You are invited" in m]) == count


def test_owner_sees_registrations_and_exports_csv_staff_and_members_do_not(app, shop):
    client, _ = member(app, shop, email="ana@example.com", name="=HYPERLINK(1)")
    register(client, "cupping")
    assert client.get("/events/admin/").status_code == 404
    assert staff_client(app, shop, "staff").get("/events/admin/").status_code == 404
    manager = staff_client(app, shop, "manager")
    status, html = page(manager, "/events/admin/")
    assert status == 200 and "Cupping" in html
    status, html = page(manager, "/events/admin/cupping")
    assert "ana@example.com" in html and "confirmed" in html
    csv = manager.get("/events/admin/cupping.csv")
    text = csv.get_data(as_text=True)
    assert csv.mimetype == "text/csv" and text.splitlines()[0].startswith("name,email,status")
    assert "'=HYPERLINK(1),ana@example.com,confirmed" in text


def test_content_check_names_file_and_field(app, tmp_path):
    folder = tmp_path / "content"
    event_file(folder, "broken", extra="colour: blue\n")
    event_file(folder, "Bad Name")
    result = app.test_cli_runner().invoke(main, ["content", "check"])
    assert result.exit_code == 1
    assert "broken.md: colour: is not a known field" in result.output
    assert "Bad Name.md: file name" in result.output
    # A broken file never breaks the pages; the other events still show.
    assert app.test_client().get("/events/").status_code == 200


def test_static_site_lists_only_public_events(app):
    from storefront.plugins import collect

    with app.test_request_context():
        pages = collect("shop_static_pages")
    paths = {p.path for p in pages}
    assert "/events/" in paths and "/events/latte-art" in paths
    assert not {"/events/cupping", "/events/gold-evening"} & paths


def test_disabled_plugin_has_no_pages(app):
    from storefront.plugins.state import set_enabled

    with app.app_context():
        set_enabled("events", False, actor="test")
    assert app.test_client().get("/events/").status_code == 404


def test_tickets_are_not_in_the_catalogue_or_search(app, client):
    client.get("/events/")  # publishes the events and their ticket products
    assert "Ticket:" not in client.get("/").get_data(as_text=True)
    assert "Ticket:" not in client.get("/search?q=ticket").get_data(as_text=True)
    assert "Ticket:" not in client.get("/search?q=blending").get_data(as_text=True)


def test_static_event_pages_send_members_to_the_shop_without_seat_counts(app, tmp_path):
    from storefront.build.site import build_site

    out = tmp_path / "site"
    build_site(app, out, jobs=1)
    out = out / "en"  # the English site (the build writes /en/ and /es/)
    page = (out / "events" / "latte-art" / "index.html").read_text()
    assert "Register in the shop" in page and "http://localhost/events/latte-art" in page
    assert "seats-left" not in page and "left" not in page.split("Take part")[0]
    listing = (out / "events" / "index.html").read_text()
    assert "Latte Art" in listing and "seat" not in listing
    assert not (out / "events" / "cupping").exists()  # members only: never written
