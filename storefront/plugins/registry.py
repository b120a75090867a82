"""Discovery: every plugin, built-in or third-party, comes through one entry-point group."""

from __future__ import annotations

import importlib.metadata
import inspect
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

import pluggy

import hooks
from hooks import specs
from hooks.types import SettingField
from storefront.plugins.contract import declared_contract
from storefront.plugins.setup import setup_call, setup_callers, setup_each
from storefront.plugins.timing import Stopwatch, Timed

_distributions: WeakKeyDictionary[pluggy.PluginManager, dict[str, importlib.metadata.Distribution]]
_distributions = WeakKeyDictionary()


def plugin_name(plugin: object) -> str:
    explicit = getattr(plugin, "name", None)
    if isinstance(explicit, str) and explicit:
        return explicit
    if inspect.ismodule(plugin):
        return plugin.__name__.rsplit(".", 1)[-1]
    return type(plugin).__name__.lower()


def build_manager(extra_plugins=(), load_entry_points: bool = True,
                  stopwatch: Stopwatch | None = None) -> pluggy.PluginManager:
    """The plugins installed (entry points of ``hooks.ENTRY_POINT_GROUP``) and given in code;
    with a stopwatch, each is registered through ``Timed`` so its hook calls are timed."""
    pm = pluggy.PluginManager(hooks.PROJECT_NAME)
    pm.add_hookspecs(specs)
    distributions = _distributions[pm] = {}
    found: list[tuple[str, object]] = []
    if load_entry_points:
        for entry in importlib.metadata.entry_points(group=hooks.ENTRY_POINT_GROUP):
            if entry.name not in distributions:
                found.append((entry.name, entry.load()))
                distributions[entry.name] = entry.dist
    found += [(plugin_name(plugin), plugin) for plugin in extra_plugins]
    for name, plugin in found:
        pm.register(plugin if stopwatch is None else Timed(plugin, name, stopwatch, pm),
                    name=name)
    _add_published_hooks(pm)
    return pm


def installed(pm: pluggy.PluginManager) -> list[tuple[str, object]]:
    """(name, plugin) of every registered plugin: the plugin itself, not its ``Timed``."""
    return [(name, inspect.unwrap(plugin)) for name, plugin in pm.list_name_plugin()
            if plugin is not None]


def _add_published_hooks(pm: pluggy.PluginManager) -> None:
    """The hookspecs plugins offer each other (``shop_publish_hooks``), each named after the
    plugin that publishes it."""
    for plugin, holders in setup_each(pm, "shop_publish_hooks"):
        for holder in holders:
            names = [name for name in dir(holder)
                     if pm.parse_hookspec_opts(holder, name) is not None]
            strays = [name for name in names if not name.startswith(f"{plugin}_")]
            if strays:
                raise RuntimeError(f"plugin {plugin} publishes {', '.join(strays)}: a published "
                                   f"hook's name must start with '{plugin}_'")
            pm.add_hookspecs(holder)


@dataclass
class PluginInfo:
    name: str
    version: str
    description: str
    package: str
    hooks: list[str]
    settings: list[SettingField] = field(default_factory=list)
    contract: str = ""  # the plugin's storefront_contract as written; empty: not declared


def describe(pm: pluggy.PluginManager) -> list[PluginInfo]:
    distributions = _distributions.get(pm, {})
    infos = []
    for name, plugin in sorted(installed(pm), key=lambda found: found[0]):
        dist = distributions.get(name)
        doc = getattr(plugin, "storefront_description", None) or (
            (inspect.getdoc(plugin) or "").strip().split("\n\n")[0].replace("\n", " "))
        version = dist.version if dist else getattr(plugin, "__version__", "")
        summary = dist.metadata.get("Summary", "") if dist else ""
        package = (dist.metadata["Name"] if dist
                   else getattr(plugin, "__name__", type(plugin).__name__))
        infos.append(PluginInfo(
            name=name, version=version or "-", description=doc or summary,
            package=package,
            hooks=sorted(impl.name for impl in (pm.get_hookcallers(pm.get_plugin(name)) or [])),
            settings=settings_schema(pm, name),
            contract=declared_contract(plugin),
        ))
    return infos


def settings_schema(pm: pluggy.PluginManager, name: str) -> list[SettingField]:
    for plugin, caller in setup_callers(pm, "shop_settings_schema"):
        if plugin == name:
            return setup_call(plugin, "shop_settings_schema", caller)
    return []
