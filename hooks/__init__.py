"""The Storefront plugin contract.

Third-party plugins import only from this package::

    from hooks import hookimpl, Adjustment

    @hookimpl
    def shop_cart_adjustments(cart, customer):
        ...
"""

from hooks.access import owned_or_404, require_role
from hooks.api import (
    call,
    can,
    current_customer,
    customer_tier,
    emit,
    forbidden,
    get_customer,
    get_customers,
    get_order,
    members,
    net_spend,
    notify,
    offer_product,
    order_history,
    plugin_enabled,
    plugin_settings,
    provided,
    quote,
    read_front_matter,
    render_markdown,
    render_template,
    session,
    shop_timezone,
    staff_members,
    today,
    utcnow,
)
from hooks.content import FolderCache, InvalidField, read_fields
from hooks.contract import CONTRACT_VERSION, __version__
from hooks.dates import add_months
from hooks.gifts import Gift, gift_settings
from hooks.markers import PROJECT_NAME, Policy, hookimpl, hookspec, spec
from hooks.rows import dialect_insert, insert_once
from hooks.text import (
    N_,
    gettext,
    language,
    lazy_gettext,
    money,
    ngettext,
    number,
    spreadsheet_safe,
)
from hooks.types import (
    Adjustment,
    Asset,
    CartLineView,
    CartView,
    CheckoutRefused,
    CustomerView,
    Event,
    FieldType,
    Job,
    MessageKind,
    NavLink,
    NotProvided,
    OrderView,
    Panel,
    Phase,
    SettingField,
    Stacking,
    StaticPage,
    TierInfo,
    WhatIf,
    WhatIfRow,
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
    "Event",
    "FieldType",
    "FolderCache",
    "Gift",
    "InvalidField",
    "Job",
    "MessageKind",
    "Model",
    "N_",
    "NavLink",
    "NotProvided",
    "OrderView",
    "Panel",
    "Phase",
    "Policy",
    "SettingField",
    "Stacking",
    "StaticPage",
    "TierInfo",
    "WhatIf",
    "WhatIfRow",
    "add_months",
    "call",
    "__version__",
    "can",
    "current_customer",
    "customer_tier",
    "dialect_insert",
    "emit",
    "forbidden",
    "get_customer",
    "get_customers",
    "get_order",
    "gift_settings",
    "gettext",
    "hookimpl",
    "hookspec",
    "insert_once",
    "language",
    "lazy_gettext",
    "members",
    "money",
    "net_spend",
    "ngettext",
    "number",
    "notify",
    "offer_product",
    "order_history",
    "owned_or_404",
    "plugin_enabled",
    "plugin_settings",
    "provided",
    "quote",
    "read_fields",
    "read_front_matter",
    "render_markdown",
    "render_template",
    "require_role",
    "session",
    "shop_timezone",
    "staff_members",
    "spec",
    "spreadsheet_safe",
    "today",
    "utcnow",
]


def __getattr__(name: str):
    if name == "Model":  # the declarative base for plugin tables, loaded on first use
        from hooks import api

        return api.Model
    raise AttributeError(name)
