"""The shop's own events: type, aggregate, and the reaction hook plugins receive them by."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CoreEvent:
    type: str
    aggregate_type: str
    hook: str | None  # the reaction hook, called with the payload's fields (None: shop_event)
    meaning: str
    payload: tuple[str, ...]


CORE_EVENTS: dict[str, CoreEvent] = {event.type: event for event in (
    CoreEvent("order.placed", "order", "shop_order_placed",
              "An order was placed: stock reserved, payment not yet taken.", ("order_id",)),
    CoreEvent("order.paid", "order", "shop_order_paid",
              "An order's payment succeeded (once per order).", ("order_id",)),
    CoreEvent("order.partially_refunded", "order", "shop_order_refunded",
              "Part of an order's payment went back to the shopper (once per refund id).",
              ("order_id", "refund_id", "amount")),
    CoreEvent("order.refunded", "order", "shop_order_refunded",
              "A refund brought the refunded total to the order's total.",
              ("order_id", "refund_id", "amount")),
    CoreEvent("order.cancelled", "order", "shop_order_cancelled",
              "An unpaid order was cancelled; its stock was released.", ("order_id", "reason")),
    CoreEvent("order.disputed", "order", "shop_order_disputed",
              "A card dispute was opened, won or lost.",
              ("order_id", "dispute_id", "amount", "status")),
    CoreEvent("customer.registered", "customer", "shop_customer_registered",
              "A shopper created an account.", ("user_id",)),
    CoreEvent("customer.verified", "customer", "shop_customer_verified",
              "A member proved they own their e-mail address (once per account).",
              ("user_id",)),
    CoreEvent("customer.profile_changed", "customer", None,
              "A member changed their profile; ``fields`` names what changed.",
              ("user_id", "fields")),
)}

SHOP_CONSUMER = "shop"  # the shop's own messages (order received, order paid)
