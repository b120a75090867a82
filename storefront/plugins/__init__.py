"""The plugin manager: discovery, enablement, settings, safe calls, mounting."""

from __future__ import annotations

import logging

import click
from flask import Flask, abort, request

from storefront.plugins import tracing
from storefront.plugins.calls import (
    call_fail_open,
    collect,
    enabled_hooks,
    enabled_impls,
    manager,
)
from storefront.plugins.registry import build_manager, plugin_name
from storefront.plugins.state import is_enabled

log = logging.getLogger("storefront.plugins")

__all__ = ["build_manager", "call_fail_open", "check_public_prefixes", "collect",
           "enabled_hooks", "enabled_impls", "init_app", "is_enabled", "manager"]


def init_app(app: Flask) -> None:
    extra = tuple(app.config.get("EXTRA_PLUGINS", ()))
    pm = build_manager(extra, load_entry_points=app.config.get("LOAD_ENTRY_POINT_PLUGINS", True))
    app.extensions["storefront.plugins"] = pm
    app.extensions["storefront.always_on"] = frozenset(plugin_name(p) for p in extra)
    tracing.install(pm)
    for impl in pm.hook.shop_startup.get_hookimpls():
        try:
            impl.function(app=app)
        except Exception as exc:
            raise RuntimeError(f"plugin {impl.plugin_name} failed to start: {exc}") from exc
    _mount_blueprints(app, pm)
    _add_commands(app, pm)


def mount_prefix(blueprint, plugin: str) -> str:
    """``/plugins/<plugin>``, or ``/<plugin>`` when the blueprint's own ``url_prefix`` asks
    for exactly that (public pages at a friendly address, such as ``/community/``)."""
    public = f"/{plugin}"
    return public if (blueprint.url_prefix or "").rstrip("/") == public else f"/plugins/{plugin}"


def _mount_blueprints(app: Flask, pm) -> None:
    owners: dict[str, str] = {}  # blueprint name -> plugin name
    public = app.extensions.setdefault("storefront.public_prefixes", {})
    for impl in pm.hook.shop_register_blueprints.get_hookimpls():
        for blueprint in impl.function() or []:
            prefix = mount_prefix(blueprint, impl.plugin_name)
            app.register_blueprint(blueprint, url_prefix=prefix)
            owners[blueprint.name] = impl.plugin_name
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
    for impl in pm.hook.shop_register_commands.get_hookimpls():
        collector = click.Group()
        impl.function(cli=collector)
        for command in collector.commands.values():
            command.invoke = _gated(app, impl.plugin_name, command.invoke)
            app.cli.add_command(command)


def _gated(app: Flask, name: str, invoke):
    def run(ctx):
        with app.app_context():
            if not is_enabled(name):
                raise click.ClickException(
                    f"plugin {name} is disabled; enable it with `storefront plugins enable {name}`")
            return invoke(ctx)

    return run
