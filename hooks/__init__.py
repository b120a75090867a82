"""The Storefront plugin contract.

Third-party plugins import only from this package::

    from hooks import hookimpl, Adjustment

    @hookimpl
    def shop_cart_adjustments(cart, customer):
        ...
"""

from hooks.api import (
    can,
    current_customer,
    customer_tier,
    forbidden,
    get_customer,
    get_customers,
    get_order,
    members,
    net_spend,
    notify,
    offer_product,
    plugin_enabled,
    plugin_settings,
    read_front_matter,
    render_markdown,
    render_template,
    session,
)
from hooks.contract import CONTRACT_VERSION, __version__
from hooks.markers import PROJECT_NAME, hookimpl, hookspec
from hooks.types import (
    Adjustment,
    Asset,
    CartLineView,
    CartView,
    CheckoutRefused,
    CustomerView,
    FieldType,
    Job,
    NavLink,
    OrderView,
    Panel,
    Phase,
    SettingField,
    Stacking,
    StaticPage,
    TierInfo,
)

ENTRY_POINT_GROUP = "storefront.plugins"

__all__ = [
    "CONTRACT_VERSION",
    "ENTRY_POINT_GROUP",
    "PROJECT_NAME",
    "Adjustment",
    "Asset",
    "CartLineView",
    "CartView",
    "CheckoutRefused",
    "CustomerView",
    "FieldType",
    "Job",
    "Model",
    "NavLink",
    "OrderView",
    "Panel",
    "Phase",
    "SettingField",
    "Stacking",
    "StaticPage",
    "TierInfo",
    "__version__",
    "can",
    "current_customer",
    "customer_tier",
    "forbidden",
    "get_customer",
    "get_customers",
    "get_order",
    "hookimpl",
    "hookspec",
    "members",
    "net_spend",
    "notify",
    "offer_product",
    "plugin_enabled",
    "plugin_settings",
    "read_front_matter",
    "render_markdown",
    "render_template",
    "session",
]


def __getattr__(name: str):
    if name == "Model":  # the declarative base for plugin tables, loaded on first use
        from hooks import api

        return api.Model
    raise AttributeError(name)
