"""Cart and offline checkout, as a guest and as a member."""

from sqlalchemy import func, select

from storefront.extensions import db
from storefront.orders.models import Order, OrderStatus
from tests.support.forms import post_form


def order_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Order.id)))


def test_add_change_and_remove_cart_lines(client, shop):
    shop.add(client, "COF-ETH-250", 2)
    shop.add(client, "TEA-ASM-200")
    html = client.get("/cart").get_data(as_text=True)
    assert "Ethiopia Yirgacheffe" in html and "€25.00" in html and "Assam Breakfast" in html
    line_id = html.split('name="line_id" value="')[1].split('"')[0]
    post_form(client, "/cart", "/cart/update", {"line_id": line_id, "quantity": "3"})
    assert "€37.50" in client.get("/cart").get_data(as_text=True)
    post_form(client, "/cart", "/cart/remove", {"line_id": line_id})
    html = client.get("/cart").get_data(as_text=True)
    assert "Ethiopia" not in html and "Assam Breakfast" in html


def test_shipping_is_free_from_threshold(client, shop):
    shop.add(client, "TEA-CHA-50")  # 6.50
    assert "€4.90" in client.get("/cart").get_data(as_text=True)
    shop.add(client, "EQP-GRD-01")  # 69.00
    html = client.get("/cart").get_data(as_text=True)
    assert "Free" in html and "€75.50" in html


def test_bad_quantities_are_refused_with_a_message(client, shop):
    for bad in ["0", "-1", "abc", "2.5", "", "100"]:
        response = shop.add(client, "COF-ETH-250", bad)
        assert response.status_code == 303
        follow = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Quantity must" in follow or "at most 99" in follow
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_quantity_beyond_stock_is_refused(client, shop):
    response = shop.add(client, "EQP-GRD-01", 9)  # 8 in stock
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "only 8 left" in html
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_unknown_product_is_refused(client):
    response = post_form(client, "/products/colombia-huila", "/cart/add",
                         {"sku": "NOPE", "quantity": "1"})
    assert "does not exist" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_guest_checkout_places_order_and_reserves_stock(app, client, shop):
    shop.add(client, "EQP-GRD-01", 2)
    response = shop.checkout(client, email="Guest@Example.com")
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert "Awaiting payment" in html and "€138.00" in html and "SF-" in html
    assert shop.product("EQP-GRD-01").stock == 6
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.email == "guest@example.com" and order.user_id is None
        assert order.total == 13800 and order.shipping == 0
    assert "Your cart is empty" in client.get("/cart").get_data(as_text=True)


def test_member_checkout_and_order_history(client, shop):
    shop.register(client, email="mia@example.com", name="Mia")
    shop.add(client, "TEA-SEN-100")
    response = shop.checkout(client, email="")
    assert response.status_code == 303
    history = client.get("/account/orders").get_data(as_text=True)
    assert "SF-000001" in history and "Awaiting payment" in history
    detail = client.get("/account/orders/1").get_data(as_text=True)
    assert "Sencha Kagoshima" in detail and "€18.90" in detail


def test_guest_checkout_requires_email_name_and_address(app, client, shop):
    shop.add(client, "TEA-SEN-100")
    response = shop.checkout(client, email="", name="", address="")
    assert response.status_code == 400
    assert order_count(app) == 0


def test_tampered_total_is_refused_and_nothing_written(app, client, shop):
    shop.add(client, "TEA-SEN-100")
    response = shop.checkout(client, expected_total="1")
    assert response.status_code == 303
    html = client.get("/checkout").get_data(as_text=True)
    assert "Prices changed" in html
    assert order_count(app) == 0 and shop.product("TEA-SEN-100").stock == 30


def test_extra_price_fields_in_the_form_are_ignored(app, client, shop):
    shop.add(client, "TEA-SEN-100")
    shop.checkout(client, price="1", unit_price="1", total="1", discount="1800")
    with app.app_context():
        assert db.session.scalar(select(Order.total)) == 1400 + 490


def test_stale_checkout_form_after_cart_change_is_refused(app, client, shop):
    shop.add(client, "TEA-SEN-100")
    fields = shop.checkout_fields(client)
    shop.add(client, "TEA-ASM-200")
    response = client.post("/checkout", data={**fields, "email": "a@example.com", "name": "A",
                                               "address": "x"})
    assert response.status_code == 303
    assert "cart changed" in client.get("/checkout").get_data(as_text=True)
    assert order_count(app) == 0


def test_double_submit_gives_one_order(app, client, shop):
    shop.add(client, "TEA-SEN-100")
    fields = shop.checkout_fields(client)
    data = {**fields, "email": "a@example.com", "name": "A", "address": "Somewhere 1"}
    first = client.post("/checkout", data=data)
    second = client.post("/checkout", data=data)
    assert first.headers["Location"] == second.headers["Location"]
    assert order_count(app) == 1 and shop.product("TEA-SEN-100").stock == 29


def test_the_placed_form_sent_again_over_a_new_cart_shows_the_first_order(app, client, shop):
    """The shopper orders, fills a new cart, then goes back and sends the old form again."""
    shop.add(client, "TEA-SEN-100")
    fields = shop.checkout_fields(client)
    data = {**fields, "email": "a@example.com", "name": "A", "address": "Somewhere 1"}
    first = client.post("/checkout", data=data)
    shop.add(client, "TEA-ASM-200")
    again = client.post("/checkout", data=data)
    assert again.status_code == 303 and again.headers["Location"] == first.headers["Location"]
    assert order_count(app) == 1 and shop.product("TEA-SEN-100").stock == 29
    assert "Assam" in client.get("/cart").get_data(as_text=True)  # the new cart is kept


def test_sold_out_between_cart_and_checkout(app, client, shop):
    shop.add(client, "GFT-JRN-01")
    shop.set_stock("GFT-JRN-01", 0)
    response = shop.checkout(client)
    assert "sold out" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert order_count(app) == 0 and shop.product("GFT-JRN-01").stock == 0


def test_empty_cart_cannot_check_out(client):
    response = client.get("/checkout")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cart")


def test_guest_cart_is_kept_on_login(client, shop):
    shop.create_user("mia@example.com")
    shop.add(client, "TEA-SEN-100", 2)
    shop.login(client, "mia@example.com", "correct horse battery")
    html = client.get("/cart").get_data(as_text=True)
    assert "Sencha Kagoshima" in html and 'value="2"' in html


def test_cancelled_order_releases_stock_and_can_refill_cart(app, client, shop):
    shop.add(client, "EQP-GRD-01", 3)
    location = shop.checkout(client).headers["Location"]
    from storefront.orders.service import cancel_order

    with app.app_context():
        order_id = db.session.scalar(select(Order.id))
        assert cancel_order(order_id, "test") is True
        assert cancel_order(order_id, "again") is False  # stock released once only
        assert db.session.get(Order, order_id).status == OrderStatus.CANCELLED
    assert shop.product("EQP-GRD-01").stock == 8
    token = location.rsplit("/", 1)[1]
    post_form(client, location, f"/orders/{token}/restore-cart", {})
    assert "Hand Grinder" in client.get("/cart").get_data(as_text=True)
