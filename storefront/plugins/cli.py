"""`storefront plugins ...`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from hooks.types import FieldType, SettingField
from storefront.cli_schema import with_current_schema
from storefront.plugins import settings_text
from storefront.plugins.contract import incompatible_plugins
from storefront.plugins.registry import describe
from storefront.plugins.settings import SettingsError, set_aside
from storefront.plugins.state import (
    PluginError,
    enabled_names,
    save_settings,
    set_enabled,
    stored_settings,
)


@click.group("plugins")
def plugins_cli() -> None:
    """List, enable, disable and configure plugins; scaffold a new one."""


def _infos():
    return describe(current_app.extensions["storefront.plugins"])


@plugins_cli.command("list")
@with_current_schema
def list_plugins() -> None:
    """Installed plugins, whether they are on, their hooks and contract versions."""
    enabled = enabled_names()
    infos = _infos()
    if not infos:
        click.echo("no plugins installed")
    unusable = incompatible_plugins()
    for info in infos:
        state = "enabled " if info.name in enabled else "disabled"
        click.echo(f"{state} {info.name} {info.version}  {info.description}")
        click.echo(f"         hooks: {', '.join(info.hooks) or '-'}")
        click.echo(f"         contract: {info.contract or 'any (not declared)'}")
        if info.name in unusable:
            click.echo(f"         cannot be enabled: {unusable[info.name]}")


def _change(name: str, enabled: bool) -> None:
    try:
        set_enabled(name, enabled, actor="cli")
    except (PluginError, SettingsError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{name} {'enabled' if enabled else 'disabled'}")


@plugins_cli.command("enable")
@click.argument("name")
@with_current_schema
def enable(name: str) -> None:
    """Switch a plugin on (its settings must be valid)."""
    _change(name, True)


@plugins_cli.command("disable")
@click.argument("name")
@with_current_schema
def disable(name: str) -> None:
    """Switch a plugin off: no prices, panels, routes or jobs from it."""
    _change(name, False)


@plugins_cli.command("settings")
@click.argument("name")
@click.argument("assignments", nargs=-1, metavar="[KEY=VALUE]...")
@click.option("--json", "as_json", is_flag=True,
              help="Print the settings as JSON, in the form KEY=VALUE accepts.")
@with_current_schema
def settings(name: str, assignments: tuple[str, ...], as_json: bool) -> None:
    """Show a plugin's settings, or change them with KEY=VALUE pairs (all validated).

    A list or table takes JSON: skus='["A-1", "B-2"]', ladder='[{"code": "member", ...}]'.
    """
    info = next((i for i in _infos() if i.name == name), None)
    if info is None:
        raise click.ClickException(f"no plugin named {name!r} is installed")
    if assignments:
        try:
            save_settings(name, _changes(name, info.settings, assignments), actor="cli")
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{name}: settings saved")
    stored = stored_settings(name)
    if as_json:
        click.echo(settings_text.as_json(info.settings, stored))
        return
    if not info.settings:
        click.echo(f"{name} has no settings")
    for field in info.settings:
        kind = field.type.value if field.type is not FieldType.LIST else \
            f"list of {field.item_type.value}"
        first, *more = settings_text.shown(field, stored.get(field.name, field.default))
        if more:
            click.echo(f"{field.name} =    # {kind}; {field.help}")
            click.echo("\n".join(f"    {line}" for line in (first, *more)))
        else:
            click.echo(f"{field.name} = {first}    # {kind}; {field.help}")
    for setting, kept in set_aside(stored).items():
        click.echo(f"{setting}: an upgrade could not read the old text of this setting "
                   f"({kept.get('problem', '')}); the plugin uses the default. The old text is "
                   f"kept in the admin page of {name} until you discard it.")


def _changes(name: str, schema: list[SettingField], assignments: tuple[str, ...]) -> dict:
    fields = {field.name: field for field in schema}
    changes, problems = {}, {}
    for pair in assignments:
        key, sep, value = pair.partition("=")
        if not sep:
            raise click.ClickException(f"{pair!r}: write KEY=VALUE")
        key = key.strip()
        field = fields.get(key)
        try:
            changes[key] = settings_text.from_json(field, value) \
                if field is not None and settings_text.takes_json(field) else value
        except ValueError as exc:
            problems[key] = str(exc)
    if problems:
        raise click.ClickException(str(SettingsError(name, problems)))
    return changes


@plugins_cli.command("new")
@click.argument("name")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Where to create the package.")
def new(name: str, folder: Path) -> None:
    """Create an installable plugin package: hooks, a table and its migration, an account
    panel with a form, and tests that pass."""
    from storefront.plugins.scaffold import ScaffoldError, scaffold

    try:
        root = scaffold(name, folder)
    except ScaffoldError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"created {root}")
    click.echo(f"next: pip install -e '{root}[test]' && pytest {root} "
               f"&& storefront db upgrade && storefront plugins enable {name}")
