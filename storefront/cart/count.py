"""The cart's item count in the page header, kept in a cookie.

Pages stay the same for every guest (so the guest page cache, a CDN or the static build can
keep them): ``static/cart-count.js`` shows the count from the cookie ``cart_count``, which
the shop sets where the count may change (adding, changing and removing lines, checking
out, logging in or out) and on the cart and checkout pages. Other requests do not look at
the cart for it. A view that knows the count already puts it in ``g.cart_count``.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, request

from storefront.cart.service import current_cart

COOKIE = "cart_count"
REFRESHED_ON = frozenset({"cart.show", "cart.add", "cart.update", "cart.remove",
                          "orders.checkout", "accounts.login", "accounts.logout",
                          "accounts.finish_registration", "accounts.reset_password"})
MAX_AGE = 30 * 24 * 3600


def items_in_cart() -> int:
    cart = current_cart()
    return sum(line.quantity for line in cart.lines) if cart is not None else 0


def _keep_count(response: Response) -> Response:
    if request.endpoint not in REFRESHED_ON:
        return response
    known = request.cookies.get(COOKIE)
    count = g.get("cart_count")
    if count is None:
        count = items_in_cart()
    if count and known != str(count):
        response.set_cookie(COOKIE, str(count), max_age=MAX_AGE, samesite="Lax",
                            secure=current_app.config["SESSION_COOKIE_SECURE"])
    elif not count and known is not None:
        response.delete_cookie(COOKIE, samesite="Lax",
                               secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def init_app(app: Flask) -> None:
    app.after_request(_keep_count)
