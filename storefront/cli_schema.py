"""The database schema as the `storefront` command sees it: commands that need the tables
refuse, in one sentence naming `storefront db upgrade`, to run on a database that lacks
migrations, and `storefront db upgrade` reports what it applied."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

if TYPE_CHECKING:
    from storefront.database.migrate import UpgradeReport

UPGRADE = "`storefront db upgrade`"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _database(app: Flask) -> str:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    return url.render_as_string(hide_password=True)


def schema_problem(app: Flask) -> str | None:
    """Why this database cannot serve the shop as installed, in one sentence; None when it
    has every migration of the core and of the installed plugins."""
    from storefront.database import migrate

    try:
        state = migrate.schema_state(app)
    except DBAPIError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        return (f"The database {_database(app)} cannot be read ({reason}); check "
                "SQLALCHEMY_DATABASE_URI (or DATABASE_URL) and that the database is running.")
    if state.empty:
        return f"The database {_database(app)} has no tables yet; run {UPGRADE} to create them."
    if state.pending:
        names = ", ".join(str(revision) for revision in state.pending)
        return (f"The database {_database(app)} is at revision {state.position()} and lacks "
                f"{_plural(len(state.pending), 'migration')} of this installation ({names}); "
                f"run {UPGRADE} to apply them.")
    return None


def with_current_schema(command: Callable[..., Any]) -> Callable[..., Any]:
    """Flask's ``with_appcontext``, and the command refuses to run while the database lacks
    migrations (checked before it starts, so nothing is done half-way)."""

    @functools.wraps(command)
    def checked(*args: Any, **kwargs: Any) -> Any:
        problem = schema_problem(current_app)
        if problem is not None:
            raise click.ClickException(problem)
        return command(*args, **kwargs)

    return with_appcontext(checked)


class StorefrontGroup(FlaskGroup):
    """The `storefront` group. Any command, a plugin's included, that stumbles on a missing
    table or column is answered with what the database lacks instead of a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            problem = schema_problem(ctx.ensure_object(ScriptInfo).load_app())
            if problem is None:
                raise
            raise click.ClickException(problem) from exc


def upgrade_summary(report: UpgradeReport) -> list[str]:
    """What `storefront db upgrade` says it did."""
    where = report.state.position()
    if not report.applied:
        return [f"Already at revision {where}; nothing to apply."]
    remaining = report.state.pending
    rest = (f"; {_plural(len(remaining), 'migration')} not applied yet "
            f"({', '.join(str(revision) for revision in remaining)})" if remaining else "")
    if report.was_empty:
        return [f"Created {_plural(report.tables_created, 'table')} with "
                f"{_plural(len(report.applied), 'migration')}; the database is at revision "
                f"{where}{rest}."]
    lines = [f"Applied {_plural(len(report.applied), 'migration')}:"]
    lines += [f"  {revision}: {revision.doc}" for revision in report.applied]
    created = (f"Created {_plural(report.tables_created, 'table')}; the database"
               if report.tables_created else "The database")
    lines.append(f"{created} is at revision {where}{rest}.")
    return lines
