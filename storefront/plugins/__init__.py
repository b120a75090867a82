"""The plugin manager: discovery, enablement, settings, hook calls, mounting."""

from __future__ import annotations

import pkgutil

import click
from flask import Flask, abort, current_app, request

from hooks import identity
from storefront.extensions import db
from storefront.plugins.dispatch import call, caller, collect, dispatcher, each, manager
from storefront.plugins.registry import build_manager, installed, plugin_name
from storefront.plugins.setup import setup_call, setup_callers, setup_each
from storefront.plugins.state import is_enabled
from storefront.plugins.timing import Stopwatch

__all__ = ["build_manager", "call", "caller", "check_public_prefixes", "collect",
           "dispatcher", "each", "init_app", "is_enabled", "manager"]


STOPWATCH = "storefront.stopwatch"


def init_app(app: Flask) -> None:
    extra = tuple(_plugin_object(p) for p in app.config.get("EXTRA_PLUGINS", ()))
    stopwatch = Stopwatch(float(app.config["PLUGIN_HOOK_BUDGET_MS"]),
                          float(app.config["PLUGIN_TIMINGS_FLUSH_SECONDS"]))
    pm = build_manager(extra, load_entry_points=app.config.get("LOAD_ENTRY_POINT_PLUGINS", True),
                       stopwatch=stopwatch)
    app.extensions["storefront.plugins"] = pm
    app.extensions[STOPWATCH] = stopwatch
    app.extensions["storefront.always_on"] = frozenset(plugin_name(p) for p in extra)
    app.extensions[identity.EXTENSION] = identity.Owners(dict(installed(pm)))
    app.teardown_appcontext(_save_timings)
    for _plugin, _answer in setup_each(pm, "shop_startup", app=app):
        pass  # an exception stops the start, naming the plugin
    _mount_blueprints(app, pm)
    _add_commands(app, pm)


def _plugin_object(plugin: object) -> object:
    """A plugin given in code, or by name as ``package.module:attribute`` (from the
    environment, e.g. STOREFRONT_EXTRA_PLUGINS='["my_shop.plugins:audit"]')."""
    return pkgutil.resolve_name(plugin) if isinstance(plugin, str) else plugin


def _save_timings(_error: BaseException | None) -> None:
    stopwatch = current_app.extensions[STOPWATCH]
    if stopwatch.due():
        stopwatch.flush(db.engine)


def mount_prefix(blueprint, plugin: str) -> str:
    """``/plugins/<plugin>``, or ``/<plugin>`` when the blueprint's own ``url_prefix`` asks
    for exactly that (public pages at a friendly address, such as ``/community/``)."""
    public = f"/{plugin}"
    return public if (blueprint.url_prefix or "").rstrip("/") == public else f"/plugins/{plugin}"


def _mount_blueprints(app: Flask, pm) -> None:
    owners: dict[str, str] = {}  # blueprint name -> plugin name
    public = app.extensions.setdefault("storefront.public_prefixes", {})
    for plugin, blueprints in setup_each(pm, "shop_register_blueprints"):
        for blueprint in blueprints:
            prefix = mount_prefix(blueprint, plugin)
            app.register_blueprint(blueprint, url_prefix=prefix)
            owners[blueprint.name] = plugin
            if not prefix.startswith("/plugins/"):
                public.setdefault(prefix, set()).add(blueprint.name)
    if not owners:
        return

    @app.before_request
    def plugin_routes_only_when_enabled():
        owner = owners.get((request.blueprint or "").split(".")[0])
        if owner is not None and not is_enabled(owner):
            abort(404)


def check_public_prefixes(app: Flask) -> None:
    """Refuse to start when a plugin's public prefix (``/community``) is also the start of a
    core address: call it once the core's blueprints are registered."""
    public = app.extensions.get("storefront.public_prefixes", {})
    for rule in app.url_map.iter_rules():
        first = "/" + rule.rule.lstrip("/").split("/", 1)[0]
        owners = public.get(first)
        if owners is not None and rule.endpoint.split(".")[0] not in owners:
            raise RuntimeError(f"plugin blueprint {sorted(owners)[0]} cannot be mounted at "
                               f"{first}: the shop already answers {rule.rule}")


def _add_commands(app: Flask, pm) -> None:
    for plugin, register in setup_callers(pm, "shop_register_commands"):
        collector = click.Group()  # one per plugin, so each command knows its owner
        setup_call(plugin, "shop_register_commands", register, cli=collector)
        for command in collector.commands.values():
            command.invoke = _gated(app, plugin, command.invoke)
            app.cli.add_command(command)


def _gated(app: Flask, name: str, invoke):
    def run(ctx):
        with app.app_context():
            if not is_enabled(name):
                raise click.ClickException(
                    f"plugin {name} is disabled; enable it with `storefront plugins enable {name}`")
            return invoke(ctx)

    return run
