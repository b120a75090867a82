"""The shopper's cart: found by a token in the session, or by the member's account."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from flask import current_app, g, has_request_context, session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from hooks.text import ngettext
from hooks.types import (
    AppliedView,
    CartLineView,
    CartView,
    CustomerView,
    OrderLineView,
    OrderView,
)
from storefront.cart.models import Cart, CartLine
from storefront.catalog.models import Product
from storefront.extensions import db
from storefront.i18n import current_language
from storefront.web.reader import customer_view

if TYPE_CHECKING:
    from storefront.cart.pricing import Quote

SESSION_KEY = "cart"
# A priced cart that is not an order (hooks.quote): no id, no number.
QUOTE_STATUS = "quote"


class CartError(ValueError):
    """A cart change that cannot be made; the message is shown to the shopper."""


@cache
def _cart_query():
    """The cart with its lines and their products in one query (CartLine.product is
    joined). Made on first use: naming a relationship makes SQLAlchemy configure every
    mapper (some 15 ms), which a process that never reads a cart (a build) can skip."""
    return select(Cart).options(
        joinedload(Cart.lines).joinedload(CartLine.product).joinedload(Product.texts))


def _cart_where(*criteria) -> Cart | None:
    return db.session.scalars(_cart_query().where(*criteria)).unique().first()


def current_cart(create: bool = False) -> Cart | None:
    cart = None
    if current_user.is_authenticated:
        cart = _cart_where(Cart.user_id == current_user.id)
    elif token := session.get(SESSION_KEY):
        cart = _cart_where(Cart.token == token, Cart.user_id.is_(None))
    if cart is None and create:
        cart = Cart(user_id=current_user.id if current_user.is_authenticated else None)
        db.session.add(cart)
        db.session.flush()
        if not current_user.is_authenticated:
            session[SESSION_KEY] = cart.token
    return cart


def parse_quantity(raw: object) -> int:
    try:
        quantity = int(str(raw).strip())
    except (TypeError, ValueError) as exc:
        raise CartError(_("Quantity must be a whole number.")) from exc
    limit = current_app.config["MAX_QUANTITY_PER_LINE"]
    if quantity < 1:
        raise CartError(_("Quantity must be at least 1."))
    if quantity > limit:
        raise CartError(_at_most(limit))
    return quantity


def _at_most(limit: int) -> str:
    return ngettext("You can order at most %(num)s of one product.",
                    "You can order at most %(num)s of one product.", limit)


def _check_stock(product: Product, quantity: int) -> None:
    if not product.active:
        raise CartError(_("%(product)s is no longer sold.", product=title_of(product)))
    if quantity > product.stock and product.stock:
        raise CartError(ngettext("%(product)s: only %(num)s left.",
                                 "%(product)s: only %(num)s left.", product.stock,
                                 product=title_of(product)))
    if quantity > product.stock:
        raise CartError(_("%(product)s: sold out.", product=title_of(product)))


def add_to_cart(product: Product, quantity: int) -> Cart:
    cart = current_cart(create=True)
    line = next((ln for ln in cart.lines if ln.product_id == product.id), None)
    new_quantity = quantity + (line.quantity if line else 0)
    limit = current_app.config["MAX_QUANTITY_PER_LINE"]
    if new_quantity > limit:
        raise CartError(_at_most(limit))
    _check_stock(product, new_quantity)
    if line is None:
        cart.lines.append(CartLine(product=product, quantity=quantity))
    else:
        line.quantity = new_quantity
    cart.touch()
    db.session.commit()
    return cart


def set_quantity(cart: Cart, line_id: int, quantity: int) -> None:
    line = _line(cart, line_id)
    _check_stock(line.product, quantity)
    line.quantity = quantity
    cart.touch()
    db.session.commit()


def remove_line(cart: Cart, line_id: int) -> None:
    cart.lines.remove(_line(cart, line_id))
    cart.touch()
    db.session.commit()


def _line(cart: Cart, line_id: int) -> CartLine:
    for line in cart.lines:
        if line.id == line_id:
            return line
    raise CartError(_("That item is no longer in your cart."))


def merge_guest_cart(guest_token: str | None, user_id: int) -> None:
    """After login: move the guest cart's lines into the member's cart."""
    if not guest_token:
        return
    guest = db.session.scalar(select(Cart).where(Cart.token == guest_token, Cart.user_id.is_(None)))
    if guest is None or not guest.lines:
        return
    member = db.session.scalar(select(Cart).where(Cart.user_id == user_id))
    if member is None:
        guest.user_id = user_id
    else:
        limit = current_app.config["MAX_QUANTITY_PER_LINE"]
        for gl in guest.lines:
            ml = next((ln for ln in member.lines if ln.product_id == gl.product_id), None)
            if ml is None:
                member.lines.append(CartLine(product_id=gl.product_id, quantity=gl.quantity))
            else:
                ml.quantity = min(ml.quantity + gl.quantity, limit)
        member.touch()
        db.session.delete(guest)
    db.session.commit()


def shipping_fee(subtotal: int) -> int:
    cfg = current_app.config
    if subtotal == 0:
        return 0
    if cfg["FREE_SHIPPING_FROM"] and subtotal >= cfg["FREE_SHIPPING_FROM"]:
        return 0
    return cfg["SHIPPING_FEE"]


def title_of(product: Product) -> str:
    """The product's title in the shopper's language."""
    return product.title_in(current_language())


def cart_titles(cart: Cart | None) -> dict[int, str]:
    """Each cart line's product title in the shopper's language, by product id."""
    language = current_language()
    return {ln.product_id: ln.product.title_in(language) for ln in (cart.lines if cart else [])}


def cart_view(cart: Cart | None) -> CartView:
    named = cart_titles(cart)
    lines = tuple(
        CartLineView(
            product_id=ln.product.id, sku=ln.product.sku, title=named[ln.product_id],
            unit_price=ln.product.price, quantity=ln.quantity, category=ln.product.category,
            tags=tuple(ln.product.tag_list),
        )
        for ln in (cart.lines if cart else [])
    )
    subtotal = sum(line.total for line in lines)
    return CartView(lines=lines, currency=current_app.config["CURRENCY"],
                    shipping=shipping_fee(subtotal))


def price(cart: Cart | None, customer: CustomerView | None = None):
    """Quote the cart for the current shopper with the shop's enabled plugins."""
    return _quote(cart_view(cart), customer or customer_view())


def _quote(cart: CartView, customer: CustomerView):
    from storefront import plugins
    from storefront.cart.pricing import quote

    return quote(cart, customer, plugins.caller("shop_cart_adjustments"),
                 current_app.config["MAX_DISCOUNT_PERCENT"])


def quote_lines(lines: tuple[CartLineView, ...], customer: CustomerView) -> OrderView:
    """``hooks.quote``: what ``customer`` would pay for ``lines`` as a cart of their own,
    priced as the cart and the checkout are, remembered for the rest of the request."""
    # Remembered for a request only: a worker's app context may outlive many changes.
    quotes = g.setdefault("storefront_quotes", {}) if has_request_context() else {}
    key = (lines, customer)
    if key not in quotes:
        subtotal = sum(line.total for line in lines)
        cart = CartView(lines=lines, currency=current_app.config["CURRENCY"],
                        shipping=shipping_fee(subtotal))
        quotes[key] = quote_view(_quote(cart, customer), customer)
    return quotes[key]


def quote_view(quote: Quote, customer: CustomerView) -> OrderView:
    """A priced cart as the order it would become for ``customer``, before it is placed."""
    return OrderView(
        id=0, number="", status=QUOTE_STATUS, user_id=customer.id, email=customer.email or "",
        currency=quote.currency, subtotal=quote.subtotal, shipping=quote.shipping,
        discount_total=quote.discount_total, total=quote.total, refunded_total=0,
        lines=tuple(OrderLineView(ln.product_id, ln.sku, ln.title, ln.unit_price, ln.quantity,
                                  ln.total) for ln in quote.lines),
        adjustments=tuple(AppliedView(a.plugin, a.code, a.label, a.phase, a.amount)
                          for a in quote.adjustments),
    )

