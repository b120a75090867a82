"""Hook specifications: the public contract between the shop and its plugins.

Every hook is documented in docs/plugins.md; a test keeps the two in step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hooks.markers import hookspec

if TYPE_CHECKING:
    from markupsafe import Markup

    from hooks.types import Adjustment, CartView, CustomerView


@hookspec
def shop_cart_adjustments(cart: CartView, customer: CustomerView) -> list[Adjustment]:
    """Propose price adjustments for a cart.

    Called by ``storefront.pricing.quote`` every time a cart is priced: on the cart page, on
    the checkout page and again, on the server, when the order is placed. Must not write.
    Return a list of :class:`hooks.Adjustment` (or None). Lists from all plugins are
    concatenated; the core resolver then orders them by phase, priority, plugin and code, so
    the result does not depend on the order in which plugins are called. Failure is fatal for
    the checkout (fails closed): the shopper sees an error and no order or payment is made.
    """


@hookspec
def shop_validate_checkout(cart: CartView, customer: CustomerView) -> list[str]:
    """Return messages that stop the checkout (empty list or None: no objection).

    Called just before an order is placed. Messages from all plugins are shown together.
    Failure is fatal for the checkout (fails closed).
    """


@hookspec
def shop_order_placed(order_id: int) -> None:
    """An order was placed (committed, stock reserved, payment not yet taken).

    Called after commit. Results are ignored; an exception is logged with the plugin's name
    and the order stands.
    """


@hookspec
def shop_order_paid(order_id: int) -> None:
    """An order's payment succeeded. Called exactly once per order, after commit."""


@hookspec
def shop_order_refunded(order_id: int, refund_id: str, amount: int) -> None:
    """A refund of ``amount`` minor units was recorded under the provider's ``refund_id``.

    Called once per refund id, after commit; replays of the same refund do not call it again.
    """


@hookspec
def shop_order_cancelled(order_id: int, reason: str) -> None:
    """An unpaid order was cancelled (by staff, or because its payment failed); stock released."""


@hookspec
def shop_template_slot(name: str, context: dict) -> Markup | str | None:
    """Render HTML into a named slot of the theme.

    Slots: ``nav``, ``account``, ``checkout``, ``cart``, ``product``. Every non-empty result
    is rendered, in plugin registration order. Return ``markupsafe.Markup`` for trusted HTML;
    plain strings are escaped.
    """


@hookspec
def shop_customer_registered(user_id: int) -> None:
    """A shopper created an account. Called after commit; failures are logged, not raised."""
