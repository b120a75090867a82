from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from storefront.cart.models import CartLine
from storefront.cart.pricing import PricingError
from storefront.cart.service import cart_view, current_cart, price, quote_view
from storefront.config import active_provider_name
from storefront.extensions import db
from storefront.orders.access import order_by_token_or_404
from storefront.orders.expiry import pay_by
from storefront.orders.forms import CheckoutForm
from storefront.orders.models import Order, OrderStatus
from storefront.orders.service import (
    CheckoutError,
    Contact,
    mark_paid,
    place_order,
    submitted_order,
)
from storefront.orders.views_model import to_view
from storefront.web import throttle
from storefront.web.reader import customer_view
from storefront.web.slots import panels

bp = Blueprint("orders", __name__)

@bp.route("/checkout", methods=["GET", "POST"])
def checkout():
    customer = customer_view()
    submitted_token = request.form.get("checkout_token", "") if request.method == "POST" else ""

    def repeated_or(response, message: str):
        # A twin submission of this very form may have placed the order a moment ago.
        repeated = submitted_order(submitted_token, customer)
        if repeated is not None:
            return _after_placement(repeated)
        flash(message, "error")
        return response

    cart = current_cart()
    if submitted_token and cart is not None and cart.lines \
            and cart.checkout_token != submitted_token:
        # The cart moved on since this form was shown: perhaps because the form placed
        # its order already (placing gives the cart a new token).
        repeated = submitted_order(submitted_token, customer)
        if repeated is not None:
            return _after_placement(repeated)
    if cart is None or not cart.lines:
        return repeated_or(redirect(url_for("cart.show")), _("Your cart is empty."))
    form = CheckoutForm()
    status, headers = 200, {}
    if form.validate_on_submit():
        email = current_user.email if current_user.is_authenticated else form.email.data
        if not email:
            form.email.errors.append(_("We need your email to send the receipt."))
        else:
            contact = Contact(email=email.strip().lower(), name=form.name.data.strip(),
                              address=form.address.data.strip())
            refused = None if current_user.is_authenticated else throttle.take_guest_order()
            if refused:
                flash(_("Too many orders from your address without an account. Please try again in "
                        "%(wait)s, or log in.", wait=refused.wait), "error")
                status, headers = 429, {"Retry-After": str(refused.retry_after)}
            else:
                try:
                    order = place_order(cart, customer, contact, form.checkout_token.data,
                                        form.expected_total.data, active_provider_name())
                except CheckoutError as exc:
                    return repeated_or((redirect(url_for("orders.checkout")), 303), str(exc))
                return _after_placement(order)
    elif form.is_submitted():
        status = 400
    if not form.is_submitted() and current_user.is_authenticated:
        form.name.data = current_user.name
    try:
        priced = price(cart, customer)
    except PricingError as exc:
        flash(str(exc), "error")
        return redirect(url_for("cart.show"))
    form.checkout_token.data = cart.checkout_token
    form.expected_total.data = priced.total
    return render_template("orders/checkout.html", form=form, quote=priced,
                           quoted=quote_view(priced, customer),
                           provider=active_provider_name(),
                           panels=panels("shop_checkout_panels", cart=cart_view(cart),
                                         customer=customer)), status, headers


def _after_placement(order: Order):
    g.cart_count = 0  # the cart became the order
    if order.total == 0:
        mark_paid(order.id)
    elif order.payment_provider == "stripe" and order.status == OrderStatus.AWAITING_PAYMENT:
        return redirect(url_for("payments.pay", token=order.public_token)), 303
    return redirect(url_for("orders.detail", token=order.public_token)), 303


@bp.get("/orders/<token>")
def detail(token: str):
    order = order_by_token_or_404(token)
    return render_template("orders/detail.html", order=order, pay_by=pay_by(order),
                           order_view=to_view(order))


@bp.post("/orders/<token>/restore-cart")
def restore_cart(token: str):
    """Put the items of a cancelled order back into the cart, to try again."""
    order = order_by_token_or_404(token)
    if order.status != OrderStatus.CANCELLED:
        abort(400, _("Only a cancelled order can be put back into the cart."))
    cart = current_cart(create=True)
    present = {line.product_id for line in cart.lines}
    for line in order.lines:
        if line.product_id not in present:
            cart.lines.append(CartLine(product_id=line.product_id, quantity=line.quantity))
    cart.touch()
    db.session.commit()
    flash(_("The items are back in your cart."), "success")
    return redirect(url_for("cart.show")), 303


@bp.get("/account/orders")
@login_required
def history():
    orders = db.session.scalars(
        select(Order).where(Order.user_id == current_user.id).order_by(Order.id.desc())
    ).all()
    return render_template("orders/history.html", orders=orders)


@bp.get("/account/orders/<int:order_id>")
@login_required
def member_detail(order_id: int):
    order = db.session.get(Order, order_id)
    if order is None or order.user_id != current_user.id:
        abort(404)
    return render_template("orders/detail.html", order=order, order_view=to_view(order))
