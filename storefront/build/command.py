"""The ``storefront build`` command."""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from flask import Flask
from flask.cli import ScriptInfo, pass_script_info


def is_command() -> bool:
    """Whether this process is the ``storefront`` command itself (not a test or a program
    that imports the CLI and goes on)."""
    name = Path(sys.argv[0]).name
    return name in ("storefront", "storefront.exe") or sys.argv[0].endswith(
        str(Path("storefront", "cli.py")))


@contextlib.contextmanager
def _progress_bar(pages: list) -> Iterator:
    """A progress bar on a terminal; nothing at all when output goes to a file or pipe."""
    with click.progressbar(pages, label="Rendering", file=sys.stderr,
                           hidden=not sys.stderr.isatty() or len(pages) < 2) as bar:
        yield bar


def _release(app: Flask) -> None:
    """Close the database connections now, as the end of the process would (SQLite folds
    its write-ahead log back into the database file), then freeze what is left: the
    interpreter's exit then skips a last full collection of some 90,000 objects, a fifth of
    a no-op build's wall time. Nothing else is skipped (exit handlers still run)."""
    from storefront.extensions import db

    with app.app_context():
        db.engine.dispose()
    gc.freeze()


@click.command("build")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: STATIC_BUILD_DIR, instance/site).")
@click.option("--force", is_flag=True, help="Render every page, changed or not.")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Processes that render pages (default: one per CPU; 1: this one only).")
@pass_script_info
def build_command(info: ScriptInfo, out: Path | None, force: bool, jobs: int | None) -> None:
    """Write the public pages as a static site (only what changed since the last build)."""
    from sqlalchemy.exc import DBAPIError

    from storefront.build.pages import BuildError
    from storefront.build.site import build_site
    from storefront.build.team import HelperDied

    # No app context around the build: each page is rendered in a request of its own,
    # exactly as a visitor's request would be.
    app = info.load_app()
    whole = is_command()  # the process ends with the build
    if whole:
        # The app and the modules live until the process ends: the collector need not walk
        # them again, and worker processes forked from here leave their pages shared.
        gc.freeze()
    try:
        report = build_site(app, out, force=force, progress=_progress_bar, jobs=jobs)
    except (BuildError, HelperDied) as exc:
        raise click.ClickException(f"build failed: {exc}") from exc
    except DBAPIError as exc:  # most often a database that was never migrated
        problem = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise click.ClickException(
            f"build failed: the database answered: {problem}. A new database, or one not "
            "upgraded since the shop was updated, needs `storefront db upgrade` first."
        ) from exc
    finally:
        if whole:
            _release(app)
    for problem in report.problems:
        click.echo(f"skipped: {problem}", err=True)
    if report.parsed:
        click.echo(f"{report.parsed} content files parsed.")
    click.echo(f"{report.pages} pages: {report.written} written, {report.unchanged} unchanged, "
               f"{report.removed} removed; {report.assets} assets copied; "
               f"{report.seconds:.2f} s -> {report.out}")
