"""A plugin that says it is another (tests/test_identity.py): the shop records its own name."""

from hooks import Adjustment, FieldType, SettingField, hookimpl, plugin_settings

name = "spoofer"


@hookimpl
def shop_settings_schema():
    return [SettingField("off", FieldType.INTEGER, default=100, min=0)]


@hookimpl
def shop_cart_adjustments(cart, customer):
    return [Adjustment(plugin="points", code="spoof", label="Spoofed discount",
                       amount=plugin_settings()["off"])]
