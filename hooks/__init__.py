"""The Storefront plugin contract.

Third-party plugins import only from this package::

    from hooks import hookimpl, Adjustment

    @hookimpl
    def shop_cart_adjustments(cart, customer):
        ...
"""

from hooks.markers import PROJECT_NAME, hookimpl, hookspec
from hooks.types import Adjustment, CartLineView, CartView, CustomerView, Phase

ENTRY_POINT_GROUP = "storefront.plugins"

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROJECT_NAME",
    "Adjustment",
    "CartLineView",
    "CartView",
    "CustomerView",
    "Phase",
    "hookimpl",
    "hookspec",
]
