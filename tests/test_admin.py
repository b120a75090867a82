"""The owner's side: orders, payments by hand, refunds, stock, customers, roles."""

import re

from sqlalchemy import select

from storefront.extensions import db
from storefront.orders.models import Order, Refund
from tests.support.forms import post_form

PASSWORD = "correct horse battery"


def place_guest_order(app, shop, sku="EQP-GRD-01", quantity=1) -> int:
    client = app.test_client()
    shop.add(client, sku, quantity)
    shop.checkout(client)
    with app.app_context():
        return db.session.scalar(select(Order.id).order_by(Order.id.desc()))


def staff_client(app, shop, role, email=None):
    """A client logged in as a new account with ``role`` (as ``role@example.com``)."""
    client = app.test_client()
    email = email or f"{role}@example.com"
    shop.create_user(email, role=role)
    shop.login(client, email, PASSWORD)
    return client


def test_staff_marks_offline_order_paid_once(app, shop):
    order_id = place_guest_order(app, shop)
    staff = staff_client(app, shop, "staff")
    page = f"/admin/orders/{order_id}"
    assert "Awaiting payment" in staff.get("/admin/orders").get_data(as_text=True)
    response = post_form(staff, page, f"{page}/mark-paid", {})
    assert "marked as paid" in staff.get(response.headers["Location"]).get_data(as_text=True)
    again = post_form(staff, page, f"{page}/mark-paid", {})
    assert "not awaiting payment" in staff.get(again.headers["Location"]).get_data(as_text=True)
    assert any("is paid" in m for m in shop.mails())


def test_staff_cannot_refund_or_change_stock(app, shop):
    order_id = place_guest_order(app, shop)
    staff = staff_client(app, shop, "staff")
    page = f"/admin/orders/{order_id}"
    post_form(staff, page, f"{page}/mark-paid", {})
    assert post_form(staff, page, f"{page}/refund",
                     {"amount": "1.00", "reason": "x"}).status_code == 403
    assert post_form(staff, page, "/admin/products/1/stock", {"change": "5"}).status_code == 403


def test_manager_refunds_partly_then_fully(app, shop):
    order_id = place_guest_order(app, shop)  # 69.00, free shipping
    manager = staff_client(app, shop, "manager")
    page = f"/admin/orders/{order_id}"
    post_form(manager, page, f"{page}/mark-paid", {})
    post_form(manager, page, f"{page}/refund", {"amount": "19.00", "reason": "scratched"})
    html = manager.get(page).get_data(as_text=True)
    assert "Partly refunded" in html and "€19.00" in html and "scratched" in html
    too_much = post_form(manager, page, f"{page}/refund", {"amount": "50.01", "reason": "x"})
    assert "between 0.01 and €50.00" in manager.get(too_much.headers["Location"]).get_data(True)
    for bad in ["abc", "-1", "0", "1.001"]:
        post_form(manager, page, f"{page}/refund", {"amount": bad, "reason": "x"})
    post_form(manager, page, f"{page}/refund", {"amount": "50.00", "reason": "returned"})
    with app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == "refunded" and order.refunded_total == 6900
        refunds = db.session.scalars(select(Refund).where(Refund.order_id == order_id)).all()
        assert [r.amount for r in refunds] == [1900, 5000]
        assert len({r.provider_ref for r in refunds}) == 2


def test_unpaid_order_cannot_be_refunded_but_can_be_cancelled(app, shop):
    order_id = place_guest_order(app, shop, quantity=2)
    manager = staff_client(app, shop, "manager")
    page = f"/admin/orders/{order_id}"
    post_form(manager, page, f"{page}/refund", {"amount": "1.00", "reason": "x"})
    with app.app_context():
        assert db.session.get(Order, order_id).refunded_total == 0
    assert shop.product("EQP-GRD-01").stock == 6
    post_form(manager, page, f"{page}/cancel", {})
    assert "Cancelled" in manager.get(page).get_data(as_text=True)
    assert shop.product("EQP-GRD-01").stock == 8


def test_manager_adjusts_stock_never_below_zero(app, shop):
    manager = staff_client(app, shop, "manager")
    product_id = shop.product("EQP-GRD-01").id
    url = f"/admin/products/{product_id}/stock"
    post_form(manager, "/admin/products", url, {"change": "5"})
    assert shop.product("EQP-GRD-01").stock == 13
    response = post_form(manager, "/admin/products", url, {"change": "-14"})
    assert "cannot go below zero" in manager.get(response.headers["Location"]).get_data(True)
    post_form(manager, "/admin/products", url, {"change": "abc"})
    assert shop.product("EQP-GRD-01").stock == 13


def test_customers_page_lists_accounts_with_spend(app, shop):
    shop.create_user("ana@example.com", name="Ana Lima")
    owner = staff_client(app, shop, "owner")
    html = owner.get("/admin/customers").get_data(as_text=True)
    assert "Ana Lima" in html and "ana@example.com" in html


def test_order_detail_shows_pricing_and_contact(app, shop):
    order_id = place_guest_order(app, shop)
    html = staff_client(app, shop, "staff").get(f"/admin/orders/{order_id}").get_data(True)
    assert "guest@example.com" in html and re.search(r"SF-0+\d", html)


def test_create_owner_command(app):
    from storefront.cli import main

    runner = app.test_cli_runner()
    result = runner.invoke(main, ["users", "create-owner", "--email", "Boss@Example.com",
                                  "--password-stdin"], input="a long owner password\n")
    assert result.exit_code == 0, result.output
    assert "owner boss@example.com created" in result.output
    again = runner.invoke(main, ["users", "create-owner", "--email", "boss@example.com",
                                 "--password-stdin"], input="a long owner password\n")
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(main, ["users", "create-owner", "--email", "x@example.com",
                                 "--password-stdin"], input="short\n")
    assert short.exit_code != 0 and "at least 10" in short.output


def test_double_submitted_refund_form_refunds_once(app, shop):
    from hooks.testing import form_fields

    order_id = place_guest_order(app, shop)
    manager = staff_client(app, shop, "manager")
    page = f"/admin/orders/{order_id}"
    post_form(manager, page, f"{page}/mark-paid", {})
    fields = form_fields(manager.get(page).get_data(as_text=True), f"{page}/refund")
    assert fields["refund_key"]
    data = {**fields, "amount": "10.00", "reason": "double click"}
    manager.post(f"{page}/refund", data=data)
    second = manager.post(f"{page}/refund", data=data)
    assert "already recorded" in manager.get(second.headers["Location"]).get_data(True)
    with app.app_context():
        assert db.session.get(Order, order_id).refunded_total == 1000


def test_the_admin_agrees_with_itself_payment_net_spend_and_customer_page(app, shop):
    """A transfer marked paid shows as the order's payment; a refund is named by the order's
    number; the customers list and the customer's own page count spend net of refunds and
    link to each other and to the orders."""
    from hooks.testing import flash_messages

    member = app.test_client()
    shop.register(member, email="ana@example.com", name="Ana")
    shop.add(member, "EQP-GRD-01")  # 69.00
    shop.checkout(member, email="ana@example.com", name="Ana")
    with app.app_context():
        order = db.session.scalars(select(Order).order_by(Order.id.desc())).first()
        order_id, number, uid = order.id, order.number, order.user_id
    owner = staff_client(app, shop, "owner")
    page = f"/admin/orders/{order_id}"
    assert "None yet." in owner.get(page).get_data(as_text=True)
    post_form(owner, page, f"{page}/mark-paid", {})
    html = owner.get(page).get_data(as_text=True)
    assert re.search(r'data-testid="payment">Bank transfer: received, €69\.00, marked paid '
                     r"[A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d\s[AP]M<", html)
    assert f'href="/admin/customers/{uid}">Ana</a>' in html
    answer = post_form(owner, page, f"{page}/refund", {"amount": "9.00", "reason": "dented"})
    said = flash_messages(owner.get(answer.headers["Location"]).get_data(as_text=True))
    assert ("success", f"Refunded €9.00 of order {number}.") in said
    row = re.search(rf'<tr data-testid="customer-{uid}">(.*?)</tr>',
                    owner.get("/admin/customers").get_data(as_text=True), re.S).group(1)
    assert f'href="/admin/customers/{uid}">Ana</a>' in row and "€60.00" in row
    customer = owner.get(f"/admin/customers/{uid}").get_data(as_text=True)
    assert 'data-testid="spent">€60.00' in customer and 'data-testid="paid-orders">1' in customer
    assert f'href="/admin/orders/{order_id}">{number}</a>' in customer
    assert owner.get("/admin/customers/999999").status_code == 404
    assert member.get(f"/admin/customers/{uid}").status_code == 403


def test_the_dashboard_is_found_with_or_without_the_trailing_slash(app, shop):
    """An owner types /admin or /admin/: both reach the dashboard (the bare one is sent on)."""
    owner = staff_client(app, shop, "owner")
    bare = owner.get("/admin")
    assert bare.status_code == 308 and bare.headers["Location"].endswith("//localhost/admin/")
    page = owner.get("/admin", follow_redirects=True)
    assert page.status_code == 200 and page.request.path == "/admin/"
    assert app.test_client().get("/admin/").status_code == 302  # a guest: to the login page


def test_a_stray_trailing_slash_is_sent_to_the_page_without_it(app, shop):
    """/admin/orders/ and /account/?tab=x reach their pages (a 308 keeps a posted form); a path
    that is no page stays 404, and //host/ never becomes a redirect off the shop."""
    owner = staff_client(app, shop, "owner")
    sent = owner.get("/admin/orders/?status=paid")
    assert sent.status_code == 308 and sent.headers["Location"] == "/admin/orders?status=paid"
    assert owner.get("/admin/orders/", follow_redirects=True).status_code == 200
    assert owner.get("/account/").headers["Location"] == "/account"
    assert owner.post("/cart/add/").status_code == 308  # posted again there, with its token
    assert owner.get("/no-such-page/").status_code == 404
    # what an attacker's link sends: a path that starts with two slashes
    assert owner.get("/", environ_overrides={"PATH_INFO": "//evil.example/"}).status_code == 404
    assert owner.get("/products/no-such-product").status_code == 404
