"""What a shopper sees they earn: on a product page, in the cart and at checkout (before
paying), on the order's page and in the paid-order message (after). Every figure comes from
``earning.points_for``, the code that grants the points at payment, applied to the priced
cart (``hooks.quote``) or to the order."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from markupsafe import Markup
from sqlalchemy import select

from hooks import CustomerView, OrderView, current_customer, quote, render_template
from hooks import session as db
from loyalty_plugins.points import config
from loyalty_plugins.points.clock import local_date, utcnow
from loyalty_plugins.points.earning import points_for
from loyalty_plugins.points.models import PointsLot

# Order statuses whose points are still to come, and those that earned them.
UNPAID = frozenset({"awaiting_payment"})
PAID = frozenset({"paid", "partially_refunded"})


def _without_points(order: OrderView) -> OrderView:
    """The priced cart as if no points paid part of it (a product page does not assume the
    shopper's choice to pay with points)."""
    paid_with_points = order.applied(config.NAME)
    if not paid_with_points:
        return order
    return replace(order, total=order.total + paid_with_points,
                   adjustments=tuple(a for a in order.adjustments
                                     if a.plugin != config.NAME))


def product_slot(product) -> Markup | None:
    """"You earn N points" for a member, "Join and earn N points" for a guest, on buying
    one of ``product`` alone. A guest's answer depends only on the product and the settings,
    so the shop may serve it to every guest from its page cache."""
    customer = current_customer()
    priced = _without_points(quote([product.cart_line()], customer))
    points = points_for(priced, config.current(), joining=not customer.is_member)
    if points <= 0:
        return None
    return render_template("points/earn_product.html", points=points,
                           member=customer.is_member, product=product)


def cart_slot(order: OrderView | None, customer: CustomerView, page: str) -> Markup | None:
    """The points the cart (or the checkout) earns as it is priced, points paid included."""
    if order is None or not order.lines:
        return None
    cfg = config.current()
    points = points_for(order, cfg, joining=not customer.is_member)
    if points <= 0:
        return None
    return render_template("points/earn_cart.html", points=points, cfg=cfg,
                           member=customer.is_member, page=page)


@dataclass(frozen=True)
class Earned:
    points: int
    usable_from: date | None  # None: usable now
    held_for: str = ""  # a guest order's points, kept for this address until an account claims


def earned(order: OrderView) -> Earned | None:
    """What a paid order earned: from the ledger once the points are granted (the worker
    writes the paid-order message after this plugin's reaction), else, while the grant
    waits for a retry, as it will compute it now."""
    cfg = config.current()
    now = utcnow()
    lot = db().execute(select(PointsLot.amount, PointsLot.available_at, PointsLot.state,
                              PointsLot.user_id, PointsLot.email)
                       .where(PointsLot.order_id == order.id, PointsLot.source == "earn")
                       ).first()
    if lot is not None:
        return Earned(lot.amount, _usable_from(lot.available_at, now, cfg),
                      held_for=lot.email if lot.user_id is None else "")
    points = points_for(order, cfg)
    if points <= 0:
        return None
    return Earned(points, _usable_from(now + timedelta(days=cfg.pending_days), now, cfg),
                  held_for=order.email if order.user_id is None else "")


def _usable_from(available_at: datetime, now: datetime, cfg: config.PointsConfig) -> date | None:
    return local_date(available_at, cfg.tz) if available_at > now else None


def order_slot(order: OrderView) -> Markup | None:
    if order.status in UNPAID:
        points = points_for(order, config.current())
        if points <= 0:
            return None
        return render_template("points/earn_order.html", upcoming=points, earned=None)
    if order.status not in PAID:
        return None
    found = earned(order)
    return render_template("points/earn_order.html", upcoming=0, earned=found) if found else None


def paid_message_slot(order: OrderView) -> str | None:
    found = earned(order)
    if found is None:
        return None
    return str(render_template("points/order_paid_message.txt", earned=found))
