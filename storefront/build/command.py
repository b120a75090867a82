"""The ``storefront build`` command."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from flask.cli import ScriptInfo, pass_script_info


@contextlib.contextmanager
def _progress_bar(pages: list) -> Iterator:
    """A progress bar on a terminal; nothing at all when output goes to a file or pipe."""
    with click.progressbar(pages, label="Rendering", file=sys.stderr,
                           hidden=not sys.stderr.isatty() or len(pages) < 2) as bar:
        yield bar


@click.command("build")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: STATIC_BUILD_DIR, instance/site).")
@click.option("--force", is_flag=True,
              help="Build everything again, as into an empty folder (pages and assets "
                   "changed by hand are put right too).")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Processes that render pages (default: one per CPU; 1: this one only).")
@click.option("--watch", is_flag=True,
              help="Then stay, and build again each time the content, a theme or a plugin's "
                   "templates change (Ctrl+C stops).")
@pass_script_info
def build_command(info: ScriptInfo, out: Path | None, force: bool, jobs: int | None,
                  watch: bool) -> None:
    """Write the public pages as a static site (only what changed since the last build)."""
    # No app context around the build: each page is rendered in a request of its own,
    # exactly as a visitor's request would be.
    app = info.load_app()
    _build(app, out, force, jobs)
    if watch:
        from storefront.build.watch import watch_and_build

        def again() -> None:
            try:
                _build(app, out, False, jobs)
            except click.ClickException as exc:  # the next change may put it right
                exc.show()

        watch_and_build(app, Path(out or app.config["STATIC_BUILD_DIR"]), again, click.echo)


def _build(app, out: Path | None, force: bool, jobs: int | None) -> None:
    from concurrent.futures.process import BrokenProcessPool

    from sqlalchemy.exc import DBAPIError

    from storefront.build.pages import BuildError
    from storefront.build.site import build_site

    try:
        report = build_site(app, out, force=force, progress=_progress_bar, jobs=jobs)
    except BuildError as exc:
        raise click.ClickException(f"build failed: {exc}") from exc
    except BrokenProcessPool as exc:  # killed, out of memory...
        raise click.ClickException("build failed: a worker process ended unexpectedly") from exc
    except DBAPIError as exc:  # most often a database that was never migrated
        problem = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        raise click.ClickException(
            f"build failed: the database answered: {problem}. A new database, or one not "
            "upgraded since the shop was updated, needs `storefront db upgrade` first."
        ) from exc
    for problem in report.problems:
        click.echo(f"skipped: {problem}", err=True)
    if report.parsed:
        click.echo(f"{report.parsed} content files parsed.")
    click.echo(f"{report.pages} pages: {report.written} written, {report.unchanged} unchanged, "
               f"{report.removed} removed; {report.assets} assets copied; "
               f"{report.seconds:.2f} s -> {report.out}")
