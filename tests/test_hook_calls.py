"""The relay's direct caller answers exactly as pluggy's own caller does."""

from __future__ import annotations

import pluggy
import pytest

from hooks import hookimpl
from hooks import specs as hookspecs
from hooks.markers import PROJECT_NAME
from storefront.plugins.calls import DirectCaller, EnabledHooks


class Plain:
    def __init__(self, answer):
        self.answer = answer

    @hookimpl
    def shop_validate_checkout(self, cart, customer):
        return self.answer


class First:
    @hookimpl(tryfirst=True)
    def shop_validate_checkout(self, cart, customer):
        return ["first"]


class Last:
    @hookimpl(trylast=True)
    def shop_validate_checkout(self, customer):
        return [f"last for {customer}"]


class Wrapper:
    @hookimpl(wrapper=True)
    def shop_validate_checkout(self, cart, customer):
        result = yield
        return [*result, ["wrapped"]]


class Tier:
    def __init__(self, answer):
        self.answer = answer

    @hookimpl
    def shop_customer_tier(self, customer):
        return self.answer


def manager(*plugins):
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for number, plugin in enumerate(plugins):
        pm.register(plugin, name=f"p{number}")
    return pm


@pytest.mark.parametrize("plugins", [
    (Plain(["a"]), Plain(None), First(), Plain(["b"]), Last()),
    (Last(), Plain(["x"]), First()),
    (),
])
def test_same_results_in_the_same_order_as_pluggy(plugins):
    pm = manager(*plugins)
    relay = EnabledHooks(pm, frozenset(name for name, _ in pm.list_name_plugin()))
    assert isinstance(relay.shop_validate_checkout, DirectCaller)
    expected = pm.hook.shop_validate_checkout(cart="cart", customer="ana")
    assert relay.shop_validate_checkout(cart="cart", customer="ana") == expected


def test_disabled_plugins_are_left_out_and_firstresult_is_kept():
    pm = manager(Tier(None), Tier("gold"), Tier("silver"), Plain(["p3"]))
    relay = EnabledHooks(pm, frozenset({"p0", "p1", "p3"}))
    assert relay.shop_customer_tier(customer="ana") == "gold"  # p2 is disabled
    assert relay.shop_validate_checkout(cart="c", customer="ana") == [["p3"]]


def test_a_plugin_exception_propagates_to_the_caller():
    class Broken:
        @hookimpl
        def shop_validate_checkout(self, cart, customer):
            raise RuntimeError("boom")

    pm = manager(Plain(["a"]), Broken())
    relay = EnabledHooks(pm, frozenset({"p0", "p1"}))
    with pytest.raises(RuntimeError, match="boom"):
        relay.shop_validate_checkout(cart="c", customer="ana")


def test_wrappers_get_pluggys_own_caller():
    pm = manager(Plain(["a"]), Wrapper())
    relay = EnabledHooks(pm, frozenset({"p0", "p1"}))
    assert not isinstance(relay.shop_validate_checkout, DirectCaller)
    assert relay.shop_validate_checkout(cart="c", customer="ana") == [["a"], ["wrapped"]]
