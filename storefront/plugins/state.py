"""Which plugins are on in this shop, and their settings. Read once per request."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy import select

from storefront.extensions import db
from storefront.plugins.models import PluginState
from storefront.plugins.registry import settings_schema
from storefront.plugins.settings import SettingsError, effective, validate


class PluginError(ValueError):
    pass


def _pm():
    return current_app.extensions["storefront.plugins"]


def known(name: str) -> bool:
    return _pm().get_plugin(name) is not None


def _rows() -> dict[str, PluginState]:
    if "_sf_plugin_rows" not in g:
        g._sf_plugin_rows = {row.name: row for row in db.session.scalars(select(PluginState))}
    return g._sf_plugin_rows


def forget() -> None:
    """Drop the per-request cache after a change."""
    g.pop("_sf_plugin_rows", None)
    g.pop("_sf_enabled", None)


def enabled_by_default(name: str) -> bool:
    return (name in current_app.extensions["storefront.always_on"]
            or name in current_app.config["PLUGINS_ENABLED_BY_DEFAULT"])


def enabled_names() -> frozenset[str]:
    if "_sf_enabled" not in g:
        rows = _rows()
        defaults = (current_app.extensions["storefront.always_on"]
                    | frozenset(current_app.config["PLUGINS_ENABLED_BY_DEFAULT"]))
        g._sf_enabled = frozenset(
            name for name, plugin in _pm().list_name_plugin()
            if plugin is not None
            and (rows[name].enabled if name in rows else name in defaults)
        )
    return g._sf_enabled


def is_enabled(name: str) -> bool:
    return name in enabled_names()


def stored_settings(name: str) -> dict:
    row = _rows().get(name)
    return dict(row.settings or {}) if row else {}


def settings_for(name: str) -> dict:
    """The plugin's settings, typed, with defaults filled in."""
    cache = g.setdefault("_sf_settings", {})
    if name not in cache:
        cache[name] = effective(settings_schema(_pm(), name), stored_settings(name))
    return cache[name]


def _row(name: str) -> PluginState:
    if not known(name):
        raise PluginError(f"no plugin named {name!r} is installed")
    row = db.session.get(PluginState, name)
    if row is None:
        row = PluginState(name=name, enabled=enabled_by_default(name), settings={})
        db.session.add(row)
    return row


def save_settings(name: str, changes: dict, actor: str = "") -> dict:
    """Validate and store; raises SettingsError naming every bad field. Nothing is saved
    unless every field is valid."""
    row = _row(name)
    row.settings = validate(name, settings_schema(_pm(), name), row.settings or {}, changes)
    row.updated_by = actor
    db.session.commit()
    forget()
    g.pop("_sf_settings", None)
    return row.settings


def set_enabled(name: str, enabled: bool, actor: str = "") -> None:
    row = _row(name)
    if enabled:
        # A plugin with invalid or missing required settings cannot be switched on.
        validate(name, settings_schema(_pm(), name), row.settings or {}, {})
    row.enabled = enabled
    row.updated_by = actor
    db.session.commit()
    forget()


__all__ = ["PluginError", "SettingsError", "enabled_names", "is_enabled", "save_settings",
           "set_enabled", "settings_for"]
