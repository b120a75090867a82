"""Which plugins are on in this shop, and their settings. Read once per request.

Each worker process keeps the ``plugin_state`` rows in memory. A request reads only the
one-row counter ``plugin_state_version`` (bumped in the same transaction as every change,
see ``_bump_on_change``) and reloads the rows when it moved, so an owner's change made in
any process takes effect with the next request of every process. A shop without plugins
reads nothing at all.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app, g
from sqlalchemy import event, select, update

from storefront.extensions import db
from storefront.plugins.contract import incompatible_plugins
from storefront.plugins.models import PluginState, PluginStateVersion
from storefront.plugins.registry import settings_schema
from storefront.plugins.settings import SET_ASIDE_KEY, SettingsError, effective, validate

_CACHE_KEY = "storefront.plugin_state_cache"
_STATE = PluginState.__table__
_VERSION = PluginStateVersion.__table__
_READ_VERSION = select(_VERSION.c.version).where(_VERSION.c.id == 1)
_READ_ROWS = select(_STATE.c.name, _STATE.c.enabled, _STATE.c.settings)
_BUMP_VERSION = (update(_VERSION).where(_VERSION.c.id == 1)
                 .values(version=_VERSION.c.version + 1))
# For a hot page's own statement: read the counter with it and hand it to ``version_read``,
# which saves the request its own round trip for the counter.
VERSION_COLUMN = _READ_VERSION.scalar_subquery().label("plugin_state_version")
_UNREAD = object()


class PluginError(ValueError):
    pass


class IncompatiblePlugin(PluginError):
    """The plugin's ``storefront_contract`` leaves out this shop's contract version."""


@dataclass(frozen=True)
class StoredState:
    """One ``plugin_state`` row as read; shared by the requests of a worker, never changed."""

    enabled: bool
    settings: Mapping


@dataclass
class _Snapshot:
    version: int
    rows: Mapping[str, StoredState]
    enabled: frozenset[str] | None = None  # filled by the first enabled_names() call


def _pm():
    return current_app.extensions["storefront.plugins"]


def known(name: str) -> bool:
    return _pm().get_plugin(name) is not None


def _installed() -> bool:
    return any(plugin is not None for _name, plugin in _pm().list_name_plugin())


def _snapshot() -> _Snapshot:
    """The rows as of the current counter: from memory, or read again when it moved."""
    cache = current_app.extensions.setdefault(_CACHE_KEY, {})
    if not _installed():  # no plugin: nothing to read, nothing can be on
        return cache.setdefault("empty", _Snapshot(version=-1, rows={}))
    version = g.pop("_sf_plugin_version", _UNREAD)
    if version is _UNREAD:
        version = db.session.connection().execute(_READ_VERSION).scalar()
    current = cache.get("snapshot")
    if current is not None and version is not None and current.version == version:
        return current
    # Read after the counter: a change committed in between only makes the next
    # request read again, never keeps old rows under a new number.
    rows = {name: StoredState(bool(enabled), settings or {})
            for name, enabled, settings in db.session.connection().execute(_READ_ROWS)}
    fresh = _Snapshot(version=-1 if version is None else version, rows=rows)
    if version is not None:  # no counter row: never trust memory
        cache["snapshot"] = fresh
    return fresh


def version_read(version: int | None) -> None:
    """The counter as this request's own statement read it (``VERSION_COLUMN``): used
    instead of reading it again, if the request has not looked at the state yet."""
    if "_sf_plugin_state" not in g:
        g._sf_plugin_version = version


def _request_snapshot() -> _Snapshot:
    if "_sf_plugin_state" not in g:
        g._sf_plugin_state = _snapshot()
    return g._sf_plugin_state


def state_version() -> int:
    """The plugin state counter this request works with (-1 when no plugin is installed)."""
    return _request_snapshot().version


def _rows() -> Mapping[str, StoredState]:
    return _request_snapshot().rows


def forget() -> None:
    """Drop the per-request cache after a change."""
    g.pop("_sf_plugin_state", None)
    g.pop("_sf_enabled", None)
    g.pop("_sf_plugin_version", None)


@event.listens_for(db.session, "before_flush")
def _bump_on_change(session, _flush_context, _instances) -> None:
    """Every ORM change to plugin_state moves the counter in the same transaction."""
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(obj, PluginState) for obj in changed):
        session.connection().execute(_BUMP_VERSION)


def enabled_by_default(name: str) -> bool:
    return (name in current_app.extensions["storefront.always_on"]
            or name in current_app.config["PLUGINS_ENABLED_BY_DEFAULT"])


def enabled_names() -> frozenset[str]:
    try:
        return g._sf_enabled
    except AttributeError:
        pass
    snapshot = _request_snapshot()
    if snapshot.enabled is None:
        snapshot.enabled = _enabled_in(snapshot.rows)
    g._sf_enabled = snapshot.enabled
    return snapshot.enabled


def _enabled_in(rows: Mapping[str, StoredState]) -> frozenset[str]:
    defaults = (current_app.extensions["storefront.always_on"]
                | frozenset(current_app.config["PLUGINS_ENABLED_BY_DEFAULT"]))
    unusable = incompatible_plugins()
    return frozenset(
        name for name, plugin in _pm().list_name_plugin()
        if plugin is not None and name not in unusable
        and (rows[name].enabled if name in rows else name in defaults)
    )


def is_enabled(name: str) -> bool:
    return name in enabled_names()


def stored_settings(name: str) -> dict:
    row = _rows().get(name)
    return copy.deepcopy(dict(row.settings)) if row else {}  # the cached row stays as read


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


def discard_set_aside_texts(name: str, actor: str = "") -> None:
    """Forget the texts an upgrade could not convert (the owner has entered them anew)."""
    row = _row(name)
    settings = dict(row.settings or {})
    if settings.pop(SET_ASIDE_KEY, None) is not None:
        row.settings = settings
        row.updated_by = actor
        db.session.commit()
        forget()


def set_enabled(name: str, enabled: bool, actor: str = "") -> None:
    if enabled and name in incompatible_plugins():
        raise IncompatiblePlugin(incompatible_plugins()[name])
    row = _row(name)
    if enabled:
        # A plugin with invalid or missing required settings cannot be switched on.
        validate(name, settings_schema(_pm(), name), row.settings or {}, {})
    row.enabled = enabled
    row.updated_by = actor
    db.session.commit()
    forget()


__all__ = ["IncompatiblePlugin", "PluginError", "SettingsError", "enabled_names", "is_enabled",
           "save_settings", "set_enabled", "settings_for"]
