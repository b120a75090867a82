"""`storefront plugins ...` and `storefront jobs ...`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from storefront.plugins.registry import describe
from storefront.plugins.settings import SettingsError, display
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
@with_appcontext
def list_plugins() -> None:
    """Installed plugins, whether they are on, and their hooks."""
    enabled = enabled_names()
    infos = _infos()
    if not infos:
        click.echo("no plugins installed")
    for info in infos:
        state = "enabled " if info.name in enabled else "disabled"
        click.echo(f"{state} {info.name} {info.version}  {info.description}")
        click.echo(f"         hooks: {', '.join(info.hooks) or '-'}")


def _change(name: str, enabled: bool) -> None:
    try:
        set_enabled(name, enabled, actor="cli")
    except (PluginError, SettingsError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{name} {'enabled' if enabled else 'disabled'}")


@plugins_cli.command("enable")
@click.argument("name")
@with_appcontext
def enable(name: str) -> None:
    """Switch a plugin on (its settings must be valid)."""
    _change(name, True)


@plugins_cli.command("disable")
@click.argument("name")
@with_appcontext
def disable(name: str) -> None:
    """Switch a plugin off: no prices, panels, routes or jobs from it."""
    _change(name, False)


@plugins_cli.command("settings")
@click.argument("name")
@click.argument("assignments", nargs=-1, metavar="[KEY=VALUE]...")
@with_appcontext
def settings(name: str, assignments: tuple[str, ...]) -> None:
    """Show a plugin's settings, or change them with KEY=VALUE pairs (all validated)."""
    info = next((i for i in _infos() if i.name == name), None)
    if info is None:
        raise click.ClickException(f"no plugin named {name!r} is installed")
    if assignments:
        changes = {}
        for pair in assignments:
            key, sep, value = pair.partition("=")
            if not sep:
                raise click.ClickException(f"{pair!r}: write KEY=VALUE")
            changes[key.strip()] = value
        try:
            save_settings(name, changes, actor="cli")
        except SettingsError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(f"{name}: settings saved")
    stored = stored_settings(name)
    if not info.settings:
        click.echo(f"{name} has no settings")
    for field in info.settings:
        value = stored.get(field.name, field.default)
        click.echo(f"{field.name} = {display(field, value)}    # {field.type.value}; "
                   f"{field.help}")


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
    click.echo(f"next: pip install -e {root} && storefront db upgrade "
               f"&& storefront plugins enable {name} && pytest {root}")


@click.group("jobs")
def jobs_cli() -> None:
    """Scheduled work of the core and the enabled plugins (run `jobs run` from cron)."""


@jobs_cli.command("run")
@click.option("--force", is_flag=True, help="Run every job now, due or not.")
@click.option("--only", help="Run only this job (e.g. core:retry-failed-reactions).")
@with_appcontext
def run_jobs(force: bool, only: str | None) -> None:
    """Run the jobs that are due; record each run; a failure does not stop the others."""
    from storefront.plugins.jobs import run_due

    runs = run_due(force=force, only=only, progress=lambda key: click.echo(f"running {key} ..."))
    for run in runs:
        click.echo(f"{run.name}: {'ok' if run.ok else 'FAILED: ' + run.error}")
    failed = sum(not run.ok for run in runs)
    click.echo(f"{len(runs)} jobs run, {failed} failed")
    if failed:
        raise SystemExit(1)


@jobs_cli.command("list")
@with_appcontext
def list_jobs() -> None:
    """Every job, its interval and when it last succeeded."""
    from storefront.extensions import db
    from storefront.plugins.jobs import scheduled_jobs
    from storefront.plugins.models import JobState

    for scheduled in scheduled_jobs():
        state = db.session.get(JobState, scheduled.key)
        last = state.last_success_at.isoformat(timespec="seconds") if state and \
            state.last_success_at else "never"
        click.echo(f"{scheduled.key}: every {scheduled.job.every_seconds}s, last success "
                   f"{last}  {scheduled.job.description}")
