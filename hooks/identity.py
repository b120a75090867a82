"""Which plugin is calling: the shop fills in a plugin's name wherever it records what the
plugin did (an adjustment, a message, a product it sells) or reads for it (its settings), so
a plugin never restates its own name and cannot give another's.

A plugin owns the modules of its package (a plugin module ``my_gift.plugin`` owns every
``my_gift.*`` module); a plugin object owns the module its class is defined in. In a module
that several plugin objects share, a method of the plugin object itself is that plugin's.
"""

from __future__ import annotations

import inspect

EXTENSION = "storefront.plugin_owners"
_MAX_FRAMES = 40
_SHARED = "shared by several plugins"


class Owners:
    """Module name -> plugin name, for the plugins of one plugin manager."""

    def __init__(self, plugins: dict[str, object]):
        claims: dict[str, set[str]] = {}
        for name, plugin in plugins.items():
            claims.setdefault(_territory(plugin), set()).add(name)
        self._roots = {root: (next(iter(names)) if len(names) == 1 else _SHARED)
                       for root, names in claims.items() if root}
        self._objects = {id(plugin): name for name, plugin in plugins.items()
                         if not inspect.ismodule(plugin)}
        self._seen: dict[str, str | None] = {}

    def owner(self, frame) -> str | None:
        module = frame.f_globals.get("__name__", "")
        found = self._seen.get(module, self)
        if found is self:
            found = self._seen[module] = self._find(module)
        if found is _SHARED:
            return self._objects.get(id(frame.f_locals.get("self")))
        return found

    def _find(self, module: str) -> str | None:
        while module:
            if module in self._roots:
                return self._roots[module]
            module = module.rpartition(".")[0]
        return None


def _territory(plugin: object) -> str:
    if inspect.ismodule(plugin):
        if hasattr(plugin, "__path__"):  # a package registered as the plugin
            return plugin.__name__
        return plugin.__package__ or plugin.__name__
    return type(plugin).__module__


def calling_plugin() -> str | None:
    """The name of the plugin whose code called the function that asks, or None when no
    plugin's code is on the stack (the shop's own code, a test, a script)."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return None
    owners = current_app.extensions.get(EXTENSION)
    if owners is None:
        return None
    frame = inspect.currentframe()
    for _ in range(_MAX_FRAMES):
        if frame is None:
            return None
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("hooks.") and module != "hooks":
            found = owners.owner(frame)
            if found is not None:
                return found
        frame = frame.f_back
    return None
