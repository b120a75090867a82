"""Free gift above a cart total: one chosen product is free once the rest of the cart
reaches a threshold."""

from hooks import (
    Adjustment,
    FieldType,
    Panel,
    SettingField,
    gettext,
    hookimpl,
    lazy_gettext,
    plugin_settings,
    render_template,
)

# The versions of the plugin contract (hooks.__version__) this plugin works with.
storefront_contract = ">=2.2,<3"
storefront_description = lazy_gettext(
    "Free gift above a cart total: one chosen product is free once the rest of the cart "
    "reaches a threshold.")
NAME = "free_gift"


@hookimpl
def shop_settings_schema():
    return [
        SettingField("threshold", FieldType.MONEY, default=5000,
                     label=lazy_gettext("Threshold"),
                     help=lazy_gettext("The rest of the cart must reach this subtotal.")),
        SettingField("gift_sku", FieldType.TEXT, default="EQP-FLT-100", required=True,
                     label=lazy_gettext("Gift SKU"),
                     help=lazy_gettext("SKU of the product given away (one unit).")),
    ]


def _gift_line(cart):
    sku = plugin_settings()["gift_sku"]
    return next((line for line in cart.lines if line.sku == sku), None)


@hookimpl
def shop_cart_adjustments(cart, customer):
    threshold = plugin_settings()["threshold"]
    gift = _gift_line(cart)
    if gift is None or cart.subtotal - gift.total < threshold:
        return []
    return [Adjustment(code="gift", label=gettext("Free gift"), phase="line",
                       amount=gift.unit_price, target_skus=(gift.sku,),
                       reason="the rest of the cart reached the gift threshold")]


@hookimpl
def shop_checkout_panels(cart, customer):
    settings = plugin_settings()
    if _gift_line(cart) is not None:
        return []
    html = render_template("free_gift/hint.html", threshold=settings["threshold"],
                           sku=settings["gift_sku"])
    return [Panel(title=gettext("A gift for you"), html=html)]


@hookimpl
def shop_cache_guest_pages():
    # What this plugin puts in guest pages is the same for every guest: pages may be kept.
    return True
