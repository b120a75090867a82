"""Which versions of the plugin contract each plugin works with.

A plugin may declare ``storefront_contract = ">=2.0,<3"`` (a module-level name, or an
attribute of a plugin object). One whose range leaves out ``hooks.__version__``, or whose
declaration cannot be read, cannot be enabled, and counts as disabled even when it is on by
default, by configuration or from before. A plugin that declares nothing is taken at its word
that it works with any version.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Mapping

from flask import Flask, current_app
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

import hooks

log = logging.getLogger("storefront.plugins")

_KEY = "storefront.incompatible_plugins"
# What a plugin written against this contract declares: this version up to the next major.
RANGE_FOR_NEW_PLUGINS = (f">={hooks.CONTRACT_VERSION.major}.{hooks.CONTRACT_VERSION.minor},"
                         f"<{hooks.CONTRACT_VERSION.major + 1}")


def declared_contract(plugin: object) -> str:
    """The plugin's ``storefront_contract`` as written; empty when it declares none."""
    declared = getattr(plugin, "storefront_contract", None)
    return "" if declared is None else str(declared)


def contract_problem(name: str, plugin: object) -> str | None:
    """Why this shop cannot use the plugin, or None when its declared range (if any) holds
    this shop's contract version."""
    declared = getattr(plugin, "storefront_contract", None)
    if declared is None:
        return None
    supported = _read_range(declared)
    if supported is None:
        return (f"plugin {name} declares storefront_contract = {declared!r}, which is not a "
                f"range of contract versions such as '{RANGE_FOR_NEW_PLUGINS}'; ask the plugin's "
                "author for a version that declares a valid range.")
    offered = hooks.CONTRACT_VERSION
    if supported.contains(offered, prereleases=True):
        return None
    remedy = f"install a version of {name} made for {hooks.__version__}"
    if _asks_for_newer(supported, offered):
        remedy = f"upgrade Storefront or {remedy}"
    return (f"plugin {name} supports contract {declared.strip()} but this shop offers "
            f"{hooks.__version__}; {remedy}.")


def _read_range(declared: object) -> SpecifierSet | None:
    if not isinstance(declared, str):
        return None
    try:
        return SpecifierSet(declared)
    except InvalidSpecifier:
        return None


def _asks_for_newer(supported: SpecifierSet, offered: Version) -> bool:
    """Whether a lower bound of the range (``>=3.0``, ``==3.*``) is what leaves us out."""
    for specifier in supported:
        if specifier.operator in ("<", "<=", "!=") or specifier.contains(offered,
                                                                          prereleases=True):
            continue
        try:
            if Version(specifier.version.removesuffix(".*")) > offered:
                return True
        except InvalidVersion:  # an arbitrary string compared with ===
            continue
    return False


def init_app(app: Flask) -> None:
    """Find the installed plugins this shop cannot use, and say so once in the log."""
    pm = app.extensions["storefront.plugins"]
    problems = {}
    for name, plugin in pm.list_name_plugin():
        problem = None if plugin is None else contract_problem(name, inspect.unwrap(plugin))
        if problem is not None:
            problems[name] = problem
            log.warning("%s It stays disabled.", problem)
    app.extensions[_KEY] = problems


def incompatible_plugins() -> Mapping[str, str]:
    """Plugin name -> why it cannot be enabled in this shop."""
    return current_app.extensions[_KEY]
