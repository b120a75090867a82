"""The shop's own messages about an order (received, paid): the domain events' consumer
``SHOP_CONSUMER`` (storefront.events.catalogue), handed to the worker's delivery by
``storefront.worker.init_app``."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext

from storefront.events.models import DomainEvent
from storefront.extensions import db
from storefront.notifications.service import notify
from storefront.orders.expiry import deadline
from storefront.orders.models import Order
from storefront.orders.views_model import to_view


def send_shop_messages(event: DomainEvent) -> None:
    order = db.session.get(Order, event.payload["order_id"])
    if order is None:
        return
    link = f"{current_app.config['BASE_URL']}/orders/{order.public_token}"
    if event.type == "order.placed" and order.payment_provider == "offline":
        notify("order_received.txt", lazy_gettext("We received your order %(number)s",
                                                  number=order.number),
               user_id=order.user_id, email=order.email, language=order.language,
               order=order, order_url=link,
               bank_details=current_app.config["SHOP_BANK_DETAILS"], pay_by=deadline(order))
    elif event.type == "order.paid":
        notify("order_paid.txt", lazy_gettext("Your order %(number)s is paid",
                                              number=order.number),
               user_id=order.user_id, email=order.email, language=order.language,
               order=order, order_url=link, order_view=to_view(order))
