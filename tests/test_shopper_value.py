"""What a shopper sees they earn (issue 16, point 6): the product page, the cart and the
checkout promise a member the points the order earns and name the tier's price; a guest is
told what joining would give; the order's page and its paid-order message say what was
earned and when it becomes usable. Every promise equals what paying then earns."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hooks import CustomerView, hookimpl, quote
from loyalty_plugins.points.clock import local_date, utcnow
from loyalty_plugins.points.models import PointsLot
from storefront.catalog.lookup import active_product
from storefront.extensions import db
from storefront.i18n import day
from storefront.orders.models import Order
from storefront.orders.service import mark_paid
from tests.conftest import Shop
from tests.points_support import last_order_id, loyalty_app, member
from tests.support.forms import post_form

SKU = "EQP-GRD-01"  # 69.00, shipping free from 49.00
TEA = "TEA-SEN-100"  # 14.00 + 4.90 shipping
# Gold from 100.00 of spend: two grinders bought make a member Gold, one does not.
LADDER = [
    {"code": "member", "name": "Member", "threshold": "0"},
    {"code": "gold", "name": "Gold", "threshold": "100.00", "discount_percent": "10",
     "points_multiplier": "1.5"},
]
EARN = re.compile(r'data-testid="points-(?:earn|join|earned)"[^>]*>([^<]+)')


def promise(html: str) -> str:
    found = EARN.search(html)
    return " ".join(found.group(1).split()) if found else ""


def earned_by(app, order_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(PointsLot.amount).where(
            PointsLot.order_id == order_id, PointsLot.source == "earn"))


def page(client, path: str) -> str:
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code)
    return answer.get_data(as_text=True)


def place(app, shop, client, sku: str | None = SKU, email: str = "mia@example.com",
          quantity: int = 1) -> Order:
    """Check out the cart, with ``sku`` added first (None: the cart as it is)."""
    if sku:
        shop.add(client, sku, quantity)
    assert shop.checkout(client, email=email).status_code == 303
    with app.app_context():
        order = db.session.get(Order, last_order_id(app))
        db.session.expunge(order)
        return order


def pay(app, order: Order) -> None:
    with app.app_context():
        assert mark_paid(order.id)


def speak(client, language: str) -> None:
    """The member picks ``language`` with the switcher (saved on their account)."""
    post_form(client, "/account", "/language", {"language": language},
              headers={"Origin": "http://localhost"})


def paid_mail(shop, number: str) -> str:
    return next(m for m in reversed(shop.mails()) if f"order {number} is paid" in m
                or f"pedido {number} está pagado" in m)


@pytest.fixture
def app(make_app):
    return loyalty_app(make_app, plugins=("points", "tiers"),
                       settings={"tiers": {"ladder": LADDER},
                                 "points": {"timezone": "Europe/Madrid"}})


def test_a_member_without_a_multiplier_is_promised_what_paying_earns(app, shop):
    client, _ = member(app, shop)
    slug = shop.product(SKU).slug
    product = page(client, f"/products/{slug}")
    assert promise(product) == "You earn 69 points with this product."
    assert 'data-testid="tier-price"' not in product  # the lowest tier has no discount
    shop.add(client, SKU)
    assert promise(page(client, "/cart")).startswith(
        "You earn 69 points on this order. They become usable 14 days after payment.")
    assert promise(page(client, "/checkout")).startswith("You earn 69 points on this order.")
    order = place(app, shop, client, None)
    detail = page(client, f"/orders/{order.public_token}")
    assert promise(detail) == "You earn 69 points once this order is paid."
    pay(app, order)
    assert earned_by(app, order.id) == 69
    with app.test_request_context():
        usable = day(local_date(utcnow() + timedelta(days=14), app_tz()))
    detail = page(client, f"/orders/{order.public_token}")
    assert promise(detail) == f"You earned 69 points; usable from {usable}."
    assert f"You earned 69 points; usable from {usable}." in paid_mail(shop, order.number)


def app_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Madrid")


def test_a_gold_member_sees_the_gold_price_and_the_multiplied_points_they_then_earn(app,
                                                                                    shop):
    client, _ = member(app, shop)
    pay(app, place(app, shop, client, quantity=2))  # 138.00: Gold (10% off, 1.5 points a euro)
    slug = shop.product(SKU).slug
    product = page(client, f"/products/{slug}")
    assert "Gold price: €62.10" in product
    assert promise(product) == "You earn 93 points with this product."  # 62.10 x 1.5
    speak(client, "es")
    spanish = page(client, f"/products/{slug}")
    assert "Precio Oro: 62,10\xa0€" in spanish
    assert promise(spanish) == "Ganas 93 puntos con este producto."
    speak(client, "en")
    shop.add(client, SKU)
    cart = page(client, "/cart")
    assert "Club Premium Gold: 10% off" in cart  # the tier's discount, named
    assert promise(cart).startswith("You earn 93 points on this order.")
    order = place(app, shop, client, None)
    pay(app, order)
    assert earned_by(app, order.id) == 93
    assert "You earned 93 points; usable from" in paid_mail(shop, order.number)


def test_the_cart_counts_points_paid_as_earning_counts_them(app, shop):
    client, uid = member(app, shop)
    from tests.points_support import give, redeem

    give(app, uid, 500, "t1")
    shop.add(client, TEA)  # 14.00 + 4.90 shipping
    shop.add(client, SKU)  # 83.00 of goods, free shipping
    redeem(client, 300)  # 3.00 paid with points: it does not earn
    assert promise(page(client, "/cart")).startswith("You earn 80 points on this order.")
    # A product page does not assume the points chosen for the cart.
    assert promise(page(client, f"/products/{shop.product(SKU).slug}")) == (
        "You earn 69 points with this product.")
    order = place(app, shop, client, None)
    pay(app, order)
    assert earned_by(app, order.id) == 80


def test_points_usable_at_once_say_so(make_app, shop):
    app = loyalty_app(make_app, settings={"points": {"pending_days": "0"}})
    client, _ = member(app, shop)
    shop.add(client, SKU)
    assert "They are usable as soon as you pay." in page(client, "/cart")
    order = place(app, shop, client, None)
    pay(app, order)
    assert promise(page(client, f"/orders/{order.public_token}")) == (
        "You earned 69 points; usable now.")
    assert "You earned 69 points; usable now." in paid_mail(shop, order.number)


def test_the_paid_message_is_in_the_members_language(app, shop):
    client, _ = member(app, shop)
    speak(client, "es")
    order = place(app, shop, client)
    pay(app, order)
    mail = paid_mail(shop, order.number)
    assert "Has ganado 69 puntos; podrás usarlos a partir del" in mail, mail
    assert "You earned" not in mail


def test_a_guest_is_told_what_joining_gives_and_never_sees_a_members_figure(app, shop):
    slug = shop.product(SKU).slug
    guest = app.test_client()
    first = page(guest, f"/products/{slug}")
    assert promise(first) == "Join and earn 69 points with this product."
    assert f'href="/register?next=/products/{slug}"' in first
    client, _ = member(app, shop)
    pay(app, place(app, shop, client, quantity=2))  # Gold now: 93 points on the product
    assert promise(page(client, f"/products/{slug}")) == (
        "You earn 93 points with this product.")
    again = page(app.test_client(), f"/products/{slug}")  # from the guests' page cache
    assert promise(again) == promise(first) and "Gold price" not in again
    assert "Join and earn" not in page(client, f"/products/{slug}")
    shop.add(guest, SKU)
    cart = page(guest, "/cart")
    assert promise(cart) == "Join and earn 69 points on this order."
    assert 'href="/register?next=/cart"' in cart


def test_a_guest_order_says_its_points_wait_for_an_account(app, shop):
    guest = app.test_client()
    order = place(app, shop, guest, email="gus@example.com")
    pay(app, order)
    assert promise(page(guest, f"/orders/{order.public_token}")) == (
        "This order earned 69 points. Create an account with gus@example.com to collect them.")


def test_an_order_that_lifts_the_member_a_tier_says_what_it_really_earned(app, shop):
    client, _ = member(app, shop)
    order = place(app, shop, client, quantity=2)  # 138.00 reaches Gold once paid
    pay(app, order)
    points = earned_by(app, order.id)
    said = f"You earned {points} points; usable from"
    assert said in paid_mail(shop, order.number)  # written after the points were granted
    assert promise(page(client, f"/orders/{order.public_token}")).startswith(said)


class CountsPricing:
    """A plugin that counts how often the shop prices a cart."""

    name = "countspricing"

    def __init__(self):
        self.calls = 0

    @hookimpl
    def shop_cart_adjustments(self, cart, customer):
        self.calls += 1
        return []


def test_a_members_product_page_prices_the_product_once_for_both_plugins(make_app):
    counter = CountsPricing()
    app = loyalty_app(make_app, plugins=("points", "tiers"), settings={"tiers": {"ladder": LADDER}},
                      EXTRA_PLUGINS=[counter])
    shop = Shop(app)
    client, _ = member(app, shop)
    pay(app, place(app, shop, client, quantity=2))
    slug = shop.product(SKU).slug
    counter.calls = 0
    product = page(client, f"/products/{slug}")
    assert "Gold price" in product and "You earn 93 points" in product
    assert counter.calls == 1
    with app.test_request_context():  # a guest's price of one grinder, as the cart's
        line = active_product(db.session, slug, "en").cart_line()
        guest = quote([line], CustomerView(None))
    assert (guest.status, guest.id, guest.total, guest.shipping) == ("quote", 0, 6900, 0)


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # the build reads like a page
def test_the_static_product_page_keeps_join_and_earn_for_guests_only(make_app, tmp_path):
    from storefront.build.site import build_site

    app = loyalty_app(make_app, LANGUAGES=["en"], BASE_URL="https://shop.example.com",
                      STATIC_SITE_URL="https://www.example.com")
    slug = Shop(app).product(SKU).slug
    build_site(app, tmp_path / "site")
    built = (tmp_path / "site" / "products" / slug / "index.html").read_text()
    join = re.search(r'<p [^>]*data-testid="points-join"[^>]*>', built).group(0)
    assert "data-guest-only" in join  # member.js hides it for a signed-in member
    assert f'href="https://shop.example.com/register?next=/products/{slug}"' in built
