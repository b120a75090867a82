"""What a member and staff do in the shop, over real HTTP with a ``Visitor`` (a live server
or a gunicorn process): log in, fill the cart, redeem points, check out, press a button of
an order in Admin -> Orders. Each fails the test with what the shop answered."""

from __future__ import annotations

from urllib.parse import urlsplit

from hooks.testing import flash_messages
from tests.support.live_server import Answer, Visitor

PASSWORD = "correct horse battery"


def log_in(visitor: Visitor, email: str, password: str = PASSWORD) -> Answer:
    answer = visitor.post_form("/login", "/login", {"email": email, "password": password})
    assert answer.status == 302, (email, answer.status, answer.text[-500:])
    return answer


def add_to_cart(visitor: Visitor, page: str, sku: str, quantity: int = 1) -> None:
    """Press "Add to cart" on ``page`` (a product's or an event's page)."""
    answer = visitor.post_form(page, "/cart/add", {"sku": sku, "quantity": str(quantity)})
    assert answer.status in (302, 303), (sku, answer.status, answer.text[-500:])


def redeem_points(visitor: Visitor, points: int) -> None:
    """Choose on the checkout page to pay ``points`` points (the points plugin's form)."""
    answer = visitor.post_form("/checkout", "/plugins/points/redeem",
                               {"action": "use", "points": str(points)})
    assert answer.status in (302, 303), (answer.status, answer.text[-500:])


def check_out(visitor: Visitor, email: str, name: str = "Member",
              address: str = "1 Main Street, Springfield") -> str:
    """Submit the checkout form as reviewed; the new order's public token."""
    answer = visitor.post_form("/checkout", "/checkout",
                               {"email": email, "name": name, "address": address})
    path = urlsplit(answer.headers.get("Location", "")).path
    if answer.status != 303 or not path.startswith("/orders/"):
        raise AssertionError(f"no order placed: {answer.status} {messages(visitor, answer)}")
    return path.rsplit("/", 1)[1]


def staff_action(visitor: Visitor, order_id: int, action: str,
                 fields: dict[str, str] | None = None) -> str:
    """Press ``action`` (mark-paid, cancel, refund) on the order's admin page; the success
    message shown after it."""
    page = f"/admin/orders/{order_id}"
    answer = visitor.post_form(page, f"{page}/{action}", fields or {})
    shown = messages(visitor, answer)
    done = [text for category, text in shown if category == "success"]
    assert answer.status == 303 and done, (action, order_id, answer.status, shown)
    return done[0]


def messages(visitor: Visitor, answer: Answer) -> list[tuple[str, str]]:
    """The flashed messages of the page a redirect leads to (or of the answer itself)."""
    if answer.status in (302, 303) and answer.headers.get("Location"):
        answer = visitor.get(urlsplit(answer.headers["Location"]).path)
    return flash_messages(answer.text)
