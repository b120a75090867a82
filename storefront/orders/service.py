"""Placing, paying, cancelling and refunding orders. Every state change is a conditional
update, so concurrent callers (webhook and return page, double submits, two staff members)
change an order at most once."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError

from hooks.types import CheckoutRefused, CustomerView
from storefront import events, plugins
from storefront.cart.models import Cart, CartLine, new_token
from storefront.cart.pricing import PricingError, quote
from storefront.cart.service import cart_view
from storefront.catalog.models import Product
from storefront.extensions import db
from storefront.i18n import current_language
from storefront.orders.costs import cost_of_goods
from storefront.orders.models import (
    Order,
    OrderAdjustment,
    OrderLine,
    OrderStatus,
    Payment,
    Refund,
)
from storefront.orders.views_model import to_view
from storefront.timeutil import utcnow

log = logging.getLogger(__name__)

REFUNDABLE = (OrderStatus.PAID.value, OrderStatus.PARTIALLY_REFUNDED.value)


class CheckoutError(Exception):
    """The checkout cannot go on; the message is for the shopper. Nothing was written."""


@dataclass(frozen=True)
class Contact:
    email: str
    name: str
    address: str


def submitted_order(checkout_token: str, customer: CustomerView) -> Order | None:
    """The order a checkout form already placed, for a repeated submission of that form."""
    if not checkout_token:
        return None
    order = db.session.scalar(select(Order).where(Order.checkout_token == checkout_token))
    return order if order is not None and order.user_id == customer.id else None


def place_order(
    cart: Cart,
    customer: CustomerView,
    contact: Contact,
    checkout_token: str,
    expected_total: int,
    provider_name: str,
) -> Order:
    """Turn the reviewed cart into an order in one transaction, or raise CheckoutError.

    A repeated submission of the same form (same checkout token) returns the first order.
    A new order comes back detached from the session, with its columns, lines and
    adjustments as placed.
    """
    if checkout_token != cart.checkout_token:
        # Placing an order gives the cart a new token, so only a token the cart no longer
        # has can belong to an order; a twin still placing it fails on the unique token.
        existing = submitted_order(checkout_token, customer)
        if existing is not None:
            return existing
        raise CheckoutError(_("Your cart changed since you reviewed it. Please check it again."))
    view = cart_view(cart)
    if not view.lines:
        raise CheckoutError(_("Your cart is empty."))
    try:
        priced = quote(view, customer, plugins.caller("shop_cart_adjustments"),
                       current_app.config["MAX_DISCOUNT_PERCENT"])
        objections = plugins.collect("shop_validate_checkout", cart=view, customer=customer)
    except PricingError as exc:
        raise CheckoutError(str(exc)) from exc
    except Exception as exc:
        log.exception("checkout validation plugin failed")
        raise CheckoutError(_("A checkout check failed; no order was placed. Try again "
                              "later.")) from exc
    if objections:
        raise CheckoutError(" ".join(objections))
    if priced.total != expected_total:
        raise CheckoutError(_("Prices changed since you reviewed your cart. Please check the "
                              "new total and confirm again."))

    costs = {ln.product_id: ln.product.cost for ln in cart.lines}  # loaded with the cart
    lines = [OrderLine(product_id=ln.product_id, sku=ln.sku, title=ln.title,
                       unit_price=ln.unit_price, unit_cost=costs.get(ln.product_id),
                       quantity=ln.quantity, discount=ln.discount, total=ln.total)
             for ln in priced.lines]
    cost_total, uncosted = cost_of_goods((line.unit_cost, line.quantity) for line in lines)
    order = Order(
        checkout_token=checkout_token, user_id=customer.id, email=contact.email,
        name=contact.name, address=contact.address, currency=priced.currency,
        subtotal=priced.subtotal, discount_total=priced.discount_total,
        shipping=priced.shipping, total=priced.total, payment_provider=provider_name,
        pricing_trace=list(priced.trace), language=current_language(),
        cost_total=cost_total, uncosted_lines=uncosted, lines=lines,
        adjustments=[OrderAdjustment(plugin=a.plugin, code=a.code, label=a.label,
                                     phase=a.phase, amount=a.amount, reason=a.reason[:300])
                     for a in priced.adjustments],
    )
    try:
        db.session.add(order)
        # The insert comes first: a concurrent duplicate waits on the unique checkout token
        # and fails there, before it touches any stock.
        db.session.flush()
        for line in sorted(priced.lines, key=lambda ln: ln.product_id):  # one lock order
            taken = db.session.execute(
                update(Product)
                .where(Product.id == line.product_id, Product.active.is_(True),
                       Product.stock >= line.quantity)
                .values(stock=Product.stock - line.quantity)
            ).rowcount
            if taken != 1:
                db.session.rollback()
                raise CheckoutError(_("Sorry, %(product)s sold out while you were checking "
                                      "out. Your cart was not charged.", product=line.title))
        _reserve(order, customer)
        events.record("order.placed", aggregate_type="order", aggregate_id=order.id,
                      payload={"order_id": order.id})
        db.session.execute(delete(CartLine).where(CartLine.cart_id == cart.id))
        db.session.execute(update(Cart).where(Cart.id == cart.id)
                           .values(checkout_token=new_token(), updated_at=utcnow()))
        # Kept out of the commit's expiry, the placed order needs no read to load it again.
        db.session.flush()
        db.session.expunge(order)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.scalar(select(Order).where(Order.checkout_token == checkout_token))
        if existing is None:
            raise
        return existing
    db.session.expire_all()
    return order


def _reserve(order: Order, customer: CustomerView) -> None:
    """Let plugins reserve what the order hands out, inside the placement transaction."""
    if not plugins.dispatcher().provided("shop_order_reserve"):
        return
    try:
        plugins.call("shop_order_reserve", order=to_view(order), customer=customer)
    except CheckoutRefused as exc:
        db.session.rollback()
        raise CheckoutError(str(exc)) from exc
    except Exception as exc:
        log.exception("a plugin failed reserving for an order")
        db.session.rollback()
        raise CheckoutError(_("We could not reserve everything in your order; nothing was "
                              "charged. Please try again.")) from exc


def mark_paid(order_id: int, *, transfer_received: bool = False) -> bool:
    """Awaiting payment -> paid. True only for the one caller that made the change.
    ``transfer_received``: staff saw the bank transfer arrive; it is recorded as the order's
    payment, in the same transaction."""
    changed = db.session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status == OrderStatus.AWAITING_PAYMENT.value)
        .values(status=OrderStatus.PAID.value, paid_at=utcnow())
    ).rowcount
    if changed and transfer_received:
        total = db.session.scalar(select(Order.total).where(Order.id == order_id))
        db.session.add(Payment(order_id=order_id, provider="offline",
                               provider_ref=f"transfer:{order_id}", amount=total,
                               status="received"))
    if changed:
        events.record("order.paid", aggregate_type="order", aggregate_id=order_id,
                      payload={"order_id": order_id})
    db.session.commit()
    return bool(changed)


def cancel_order(order_id: int, reason: str) -> bool:
    """Cancel an unpaid order and release its stock exactly once."""
    changed = db.session.execute(
        update(Order)
        .where(Order.id == order_id, Order.status == OrderStatus.AWAITING_PAYMENT.value)
        .values(status=OrderStatus.CANCELLED.value, cancelled_at=utcnow(),
                cancel_reason=reason[:200])
    ).rowcount
    if changed:
        lines = db.session.scalars(select(OrderLine).where(OrderLine.order_id == order_id)
                                   .order_by(OrderLine.product_id))
        for line in lines:
            db.session.execute(update(Product).where(Product.id == line.product_id)
                               .values(stock=Product.stock + line.quantity))
        events.record("order.cancelled", aggregate_type="order", aggregate_id=order_id,
                      payload={"order_id": order_id, "reason": reason})
    db.session.commit()
    return bool(changed)


def record_refund(order_id: int, refund_ref: str, amount: int, reason: str = "",
                  actor: str = "") -> bool:
    """Record a provider refund once per refund id. Returns False for a replay."""
    if db.session.scalar(select(Refund.id).where(Refund.provider_ref == refund_ref)):
        return False
    try:
        changed = db.session.execute(
            update(Order)
            .where(Order.id == order_id, Order.status.in_(REFUNDABLE),
                   Order.refunded_total + amount <= Order.total)
            .values(refunded_total=Order.refunded_total + amount)
        ).rowcount
        if not changed:
            db.session.rollback()
            log.error("refund %s of %s for order %s exceeds what was paid; not recorded",
                      refund_ref, amount, order_id)
            return False
        db.session.add(Refund(order_id=order_id, provider_ref=refund_ref, amount=amount,
                              reason=reason[:300], created_by=actor))
        db.session.flush()
        db.session.execute(
            update(Order).where(Order.id == order_id).values(
                status=_refund_status_expr())
        )
        status = db.session.scalar(select(Order.status).where(Order.id == order_id))
        full = status == OrderStatus.REFUNDED.value
        events.record("order.refunded" if full else "order.partially_refunded",
                      aggregate_type="order", aggregate_id=order_id,
                      payload={"order_id": order_id, "refund_id": refund_ref, "amount": amount})
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _refund_status_expr():
    return case(
        (Order.refunded_total >= Order.total, OrderStatus.REFUNDED.value),
        else_=OrderStatus.PARTIALLY_REFUNDED.value,
    )
