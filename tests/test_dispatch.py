"""The dispatcher: pluggy's own callers for the enabled plugins, under each hook's declared
failure policy (hooks.Policy), for every hook of the contract."""

from __future__ import annotations

import inspect

import pluggy
import pytest

from hooks import Policy, hookimpl
from hooks import specs as hookspecs
from hooks.markers import POLICY_ATTRIBUTE, PROJECT_NAME, policy_of
from storefront.plugins.dispatch import Dispatcher, PluginFailed
from storefront.plugins.setup import setup_each

HOOKS = sorted(name for name in dir(hookspecs) if name.startswith("shop_"))


class Boom(Exception):
    pass


def plugin(hook_name: str, answer=None, *, raises=False, wrapper=False, seen=None, **opts):
    """A plugin object with one implementation of ``hook_name``."""
    if wrapper:

        def impl(self):
            result = yield
            seen.append(result)
            return result
    else:

        def impl(self):
            if raises:
                raise Boom(f"{hook_name} failed")
            return answer

    return type("P", (), {hook_name: hookimpl(wrapper=wrapper, **opts)(impl)})()


def manager(*plugins):
    pm = pluggy.PluginManager(PROJECT_NAME)
    pm.add_hookspecs(hookspecs)
    for number, found in enumerate(plugins):
        pm.register(found, name=f"p{number}")
    return pm


def everyone(pm):
    return frozenset(name for name, _ in pm.list_name_plugin())


def firstresult(hook_name):
    return bool(getattr(manager().hook, hook_name).spec.opts.get("firstresult"))


def arguments(hook_name):
    return dict.fromkeys(inspect.signature(getattr(hookspecs, hook_name)).parameters)


def test_every_hook_declares_its_policy_beside_its_spec():
    undeclared = [name for name in HOOKS if not hasattr(getattr(hookspecs, name), POLICY_ATTRIBUTE)]
    assert undeclared == []


@pytest.mark.parametrize("hook_name", HOOKS)
def test_a_wrapper_runs_and_sees_the_answers_on_every_hook(hook_name):
    seen: list = []
    pm = manager(
        plugin(hook_name, ["a"]),
        plugin(hook_name, wrapper=True, seen=seen),
        plugin(hook_name, ["b"]),
    )
    first = firstresult(hook_name)
    policy = policy_of(getattr(hookspecs, hook_name))
    dispatcher = Dispatcher(pm, everyone(pm))
    if policy is Policy.SETUP:
        answers = dict(setup_each(pm, hook_name, **arguments(hook_name)))
        assert answers == {"p0": ["a"], "p2": ["b"]}
        assert seen == [[["b"]], [["a"]]]  # the wrapper wraps each plugin's call
    elif policy is Policy.REACTION:
        for _name, caller in dispatcher.per_plugin(hook_name):
            caller(**arguments(hook_name))
        assert seen == [[["b"]], [["a"]]]
    else:
        answer = dispatcher.call(hook_name, **arguments(hook_name))
        assert answer == (["b"] if first else [["b"], ["a"]])  # last registered first
        assert seen == [answer]


@pytest.mark.parametrize("hook_name", HOOKS)
def test_each_hook_fails_as_its_declaration_says(hook_name, caplog):
    policy = policy_of(getattr(hookspecs, hook_name))
    first = firstresult(hook_name)
    pm = manager(plugin(hook_name, ["ok"]), plugin(hook_name, raises=True))
    dispatcher = Dispatcher(pm, everyone(pm))
    if policy is Policy.DECIDES:  # fails closed: the caller gets the exception
        with pytest.raises(Boom) as raised:
            dispatcher.call(hook_name, **arguments(hook_name))
        assert f"raised by plugin p1 in {hook_name}" in raised.value.__notes__
        with pytest.raises(PluginFailed, match=f"plugin p1 failed in {hook_name}"):
            list(dispatcher.each(hook_name, **arguments(hook_name)))
    elif policy is Policy.FURNITURE:  # the failing plugin is left out, and logged
        assert dispatcher.call(hook_name, **arguments(hook_name)) == (["ok"] if first else [["ok"]])
        assert dict(dispatcher.each(hook_name, **arguments(hook_name))) == {"p0": ["ok"]}
        assert f"plugin p1 failed in {hook_name}; left out" in caplog.text
    elif policy is Policy.SETUP:  # stops the start or the command, naming the plugin
        with pytest.raises(RuntimeError, match=f"plugin p1 failed in {hook_name}"):
            dict(setup_each(pm, hook_name, **arguments(hook_name)))
    else:  # reactions are delivered one plugin at a time (see test_plugins.py)
        assert policy is Policy.REACTION
        with pytest.raises(TypeError, match="reaction"):
            dispatcher.call(hook_name, **arguments(hook_name))
        callers = dict(dispatcher.per_plugin(hook_name))
        assert callers["p0"](**arguments(hook_name)) == [["ok"]]
        with pytest.raises(Boom):
            callers["p1"](**arguments(hook_name))


def test_disabled_plugins_are_left_out_and_firstresult_is_kept():
    pm = manager(
        plugin("shop_customer_tier", None),
        plugin("shop_customer_tier", "gold"),
        plugin("shop_customer_tier", "silver"),
    )
    assert (
        Dispatcher(pm, frozenset({"p0", "p1"})).call("shop_customer_tier", customer=None) == "gold"
    )
    assert Dispatcher(pm, everyone(pm)).call("shop_customer_tier", customer=None) == "silver"


def test_tryfirst_trylast_and_old_style_hookwrappers_work_as_in_pluggy():
    order: list = []

    class Old:
        @hookimpl(hookwrapper=True)
        def shop_nav_links(self):
            outcome = yield
            order.append(("old wrapper saw", outcome.get_result()))

    pm = manager(
        plugin("shop_nav_links", ["last"], trylast=True),
        plugin("shop_nav_links", ["first"], tryfirst=True),
        plugin("shop_nav_links", ["middle"]),
        Old(),
    )
    expected = pm.hook.shop_nav_links(customer=None)
    order.clear()
    assert Dispatcher(pm, everyone(pm)).call("shop_nav_links", customer=None) == expected
    assert expected == [["first"], ["middle"], ["last"]]
    assert order == [("old wrapper saw", expected)]


def test_a_failing_wrapper_on_furniture_is_left_out_with_its_plugin():
    class BrokenWrapper:
        @hookimpl(wrapper=True)
        def shop_nav_links(self):
            yield
            raise Boom("wrapper broke")

    pm = manager(plugin("shop_nav_links", ["a"]), BrokenWrapper())
    assert Dispatcher(pm, everyone(pm)).call("shop_nav_links", customer=None) == [["a"]]


def test_every_spec_function_takes_only_named_arguments():
    for name in HOOKS:
        kinds = {p.kind for p in inspect.signature(getattr(hookspecs, name)).parameters.values()}
        assert kinds <= {inspect.Parameter.POSITIONAL_OR_KEYWORD}, name
