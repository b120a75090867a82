from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from hooks.api import can, forbidden
from storefront.cart.pricing import PricingError
from storefront.cart.service import (
    CartError,
    add_to_cart,
    cart_titles,
    current_cart,
    customer_view,
    parse_quantity,
    price,
    quote_view,
    remove_line,
    set_quantity,
    title_of,
)
from storefront.catalog.models import Product
from storefront.extensions import csrf, db
from storefront.web.urls import from_this_site

bp = Blueprint("cart", __name__, url_prefix="/cart")


@bp.get("")
def show():
    cart = current_cart()
    customer = customer_view()
    try:
        priced = price(cart, customer)
        error = None
    except PricingError as exc:
        priced, error = None, str(exc)
    return render_template("cart/cart.html", cart=cart, quote=priced, pricing_error=error,
                           titles=cart_titles(cart),
                           quoted=quote_view(priced, customer) if priced else None)


@bp.post("/add")
@csrf.exempt  # checked by from_this_site: no token, so a product page is alike for all guests
def add():
    """Another site cannot make a visitor add to their cart: its page's POST carries its own
    Origin (refused here), and the session cookie (SameSite=Lax) is not sent with it."""
    if not from_this_site():
        abort(403, _("This form must be sent from a page of this shop. Please go back, "
                     "reload the page and try again."))
    sku = request.form.get("sku", "")
    product = db.session.scalar(select(Product).where(Product.sku == sku,
                                                      Product.active.is_(True)))
    if product is None:
        flash(_("That product does not exist."), "error")
        return redirect(url_for("cart.show")), 303
    if not can(customer_view(), "cart.add", product.sku, default=True):
        return forbidden("cart.add", product.sku)
    try:
        add_to_cart(product, parse_quantity(request.form.get("quantity", "1")))
    except CartError as exc:
        flash(str(exc), "error")
        return redirect(url_for("catalog.product", slug=product.slug)), 303
    flash(_("Added %(product)s to your cart.", product=title_of(product)), "success")
    return redirect(url_for("cart.show")), 303


def _line_id() -> int:
    raw = request.form.get("line_id", "")
    return int(raw) if raw.isdigit() else -1


@bp.post("/update")
def update():
    cart = current_cart()
    try:
        if cart is None:
            raise CartError(_("Your cart is empty."))
        set_quantity(cart, _line_id(), parse_quantity(request.form.get("quantity")))
    except CartError as exc:
        flash(str(exc), "error")
    return redirect(url_for("cart.show")), 303


@bp.post("/remove")
def remove():
    cart = current_cart()
    try:
        if cart is None:
            raise CartError(_("Your cart is empty."))
        remove_line(cart, _line_id())
    except CartError as exc:
        flash(str(exc), "error")
    return redirect(url_for("cart.show")), 303
