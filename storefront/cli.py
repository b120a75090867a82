"""The `storefront` command."""

from __future__ import annotations

import getpass
import os
import sys
from datetime import timedelta
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from storefront import create_app
from storefront.cli_schema import (
    StorefrontGroup,
    upgrade_summary,
    with_current_schema,
)

GUNICORN_CONFIG = "python:storefront.gunicorn_conf"


def _create_app():
    return create_app()


@click.group(cls=StorefrontGroup, create_app=_create_app, add_default_commands=True,
             help="Storefront: run, manage and develop a loyalty-driven shop.")
def main() -> None:
    pass


def _add_plugin_commands() -> None:
    from storefront.build.command import build_command
    from storefront.imports.cli import import_cli
    from storefront.jobs.cli import jobs_cli
    from storefront.plugins.cli import plugins_cli
    from storefront.worker import worker_command

    main.add_command(plugins_cli)
    main.add_command(jobs_cli)
    main.add_command(worker_command)
    main.add_command(build_command)
    main.add_command(import_cli)


_add_plugin_commands()


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.argument("revision", default="heads")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    from storefront.database import migrate

    for line in upgrade_summary(migrate.upgrade(current_app, revision)):
        click.echo(line)


@db.command("revision")
@click.option("-m", "--message", required=True)
@with_current_schema
def db_revision(message: str) -> None:
    """Write a new migration from the difference between models and database."""
    from storefront.database import migrate

    migrate.revision(current_app, message)


@main.group()
def content() -> None:
    """Content files in content/."""


@content.command("check")
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path))
@with_current_schema  # the enabled plugins check their files too
def content_check(folder: Path | None) -> None:
    """Validate every content file; exit 1 and name file, field and problem on errors."""
    from storefront.content.loader import load_content

    root = folder or Path(current_app.config["CONTENT_DIR"])
    result = load_content(root)
    problems = [str(p) for p in result.problems]
    from storefront.plugins.setup import setup_each

    for _plugin, found in setup_each(current_app.extensions["storefront.plugins"],
                                     "shop_content_check", root=str(root)):
        problems.extend(f"{path}: {field}: {problem}" for path, field, problem in found)
    for problem in problems:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"{len(result.products)} products, {len(result.pages)} pages checked, "
               f"{len(problems)} problems")
    if problems:
        sys.exit(1)


@content.command("sync")
@with_current_schema
def content_sync() -> None:
    """Copy products from content/ into the database (stock is kept)."""
    report = _sync()
    click.echo(f"products: {report.created} created, {report.updated} updated, "
               f"{report.deactivated} hidden")


def _sync():
    from storefront.catalog.sync import sync_products
    from storefront.content.loader import load_content

    result = load_content(Path(current_app.config["CONTENT_DIR"]))
    for problem in result.problems:
        click.echo(f"skipped: {problem}", err=True)
    return sync_products(result)


@main.group()
def users() -> None:
    """Accounts and roles."""


@users.command("create-owner")
@click.option("--email", required=True)
@click.option("--name", default="Owner")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_current_schema
def create_owner(email: str, name: str, password_stdin: bool) -> None:
    """Create the shop owner's account."""
    from storefront.accounts.models import Role
    from storefront.accounts.passwords import MIN_PASSWORD_LENGTH
    from storefront.accounts.service import AccountError, create_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise click.ClickException("the passwords differ")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise click.ClickException(f"use at least {MIN_PASSWORD_LENGTH} characters")
    try:
        user = create_user(email, password, name, Role.OWNER)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"owner {user.email} created")


@main.group()
def payments() -> None:
    """Payment provider housekeeping."""


@payments.command("reconcile")
@click.option("--abandon-after-hours", type=click.IntRange(min=1), default=None,
              help="Cancel unpaid card orders older than this and release their stock "
                   "[default: UNPAID_ORDER_HOURS for stripe, 24].")
@with_current_schema
def payments_reconcile(abandon_after_hours: int | None) -> None:
    """Settle card orders whose webhook never came (run it from cron)."""
    from storefront.payments.settle import reconcile
    from storefront.payments.stripe_gateway import StripeGateway

    if not current_app.config["STRIPE_SECRET_KEY"]:
        click.echo("Stripe is not configured; nothing to reconcile")
        return
    hours = abandon_after_hours or current_app.config["UNPAID_ORDER_HOURS"]["stripe"]
    counts = reconcile(StripeGateway.from_config(), timedelta(hours=hours))
    summary = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or "none"
    click.echo(f"reconciled orders: {summary}")


DEMO_BANK_DETAILS = "Demo Bank, IBAN ES91 2100 0418 4502 0005 1332, BIC CAIXESBBXXX"


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Prepare the demo shop and exit.")
@with_appcontext
def demo(host: str, port: int, no_serve: bool) -> None:
    """Run the demo shop: SQLite, the content in content/, demo accounts, no keys needed."""
    from storefront.database import migrate
    from storefront.demo import (
        add_demo_referral,
        answer_demo_survey,
        enable_builtin_plugins,
        ensure_demo_accounts,
        give_demo_birthday,
        give_demo_points,
        load_demo_history,
        open_demo_complaint,
    )

    migrate.upgrade(current_app)
    report = _sync()
    click.echo(f"demo shop: {report.created + report.updated} products from "
               f"{current_app.config['CONTENT_DIR']}")
    newly = enable_builtin_plugins()
    if newly:
        click.echo(f"built-in plugins enabled: {', '.join(newly)}")
    click.echo("demo accounts (email / password):")
    for role, email, password in ensure_demo_accounts():
        click.echo(f"  {role:<9} {email:<28} {password}")
    give_demo_points()
    add_demo_referral()
    give_demo_birthday()
    for line in load_demo_history():
        click.echo(line)
    survey = answer_demo_survey()
    if survey:
        click.echo(survey)
    open_demo_complaint()
    if no_serve:
        return
    import subprocess

    from werkzeug.serving import run_simple

    if not current_app.config["SHOP_BANK_DETAILS"]:
        current_app.config["SHOP_BANK_DETAILS"] = DEMO_BANK_DETAILS
    env = {**os.environ, "STOREFRONT_SHOP_BANK_DETAILS": current_app.config["SHOP_BANK_DETAILS"]}
    worker = subprocess.Popen([sys.executable, "-m", "storefront.cli", "worker"], env=env)
    click.echo(f"open http://{host}:{port}/  (Ctrl+C stops the shop and its worker)")
    try:
        run_simple(host, port, current_app._get_current_object(), threaded=True)
    finally:
        worker.terminate()
        worker.wait(timeout=30)


@main.command("serve")
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", default=2, show_default=True)
@click.option("--timeout", default=30, show_default=True,
              help="Seconds a request may take before its worker is killed and replaced "
                   "(a plugin that hangs holds a page no longer than this).")
@with_current_schema
def serve(bind: str, workers: int, timeout: int) -> None:
    """Serve the shop with gunicorn (production)."""
    if workers > 1 and current_app.config["RATELIMIT_STORAGE_URI"].startswith("memory:"):
        click.echo(f"warning: RATELIMIT_STORAGE_URI is memory://, so each of the {workers} "
                   "workers counts log-in attempts on its own and the limits allow up to "
                   f"{workers} times as many; set it to a Redis URL (redis://HOST:PORT) that "
                   "every worker and host shares", err=True)
    argv = [sys.executable, "-m", "gunicorn", "--config", GUNICORN_CONFIG, "--workers",
            str(workers), "--bind", bind, "--timeout", str(timeout)]
    os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn


@main.group()
def translations() -> None:
    """Translation catalogs of the shop and of plugin packages (docs/plugins.md)."""


def _catalog_sources(packages: tuple[Path, ...]):
    from storefront.i18n.catalogs import built_in_sources, package_source

    return [package_source(p) for p in packages] if packages else built_in_sources()


@translations.command("update")
@click.option("--package", "packages", multiple=True,
              type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="A plugin package folder (default: the shop and the built-in plugins).")
@click.option("--language", "languages", multiple=True,
              help="Also start a catalog for this language (a code such as es).")
def translations_update(packages: tuple[Path, ...], languages: tuple[str, ...]) -> None:
    """Extract the texts, update each messages.po and compile messages.mo."""
    from storefront.i18n.catalogs import all_languages, update

    for source in _catalog_sources(packages):
        wanted = list(languages) or (all_languages() if not packages else [])
        for line in update(source, wanted):
            click.echo(line)


@translations.command("check")
@click.option("--package", "packages", multiple=True,
              type=click.Path(file_okay=False, exists=True, path_type=Path))
def translations_check(packages: tuple[Path, ...]) -> None:
    """Fail when a text has no translation, a translation is stale or a .mo is old."""
    from storefront.i18n.catalogs import all_languages, check

    problems = []
    for source in _catalog_sources(packages):
        problems += check(source, None if packages else all_languages())
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("Every text is translated.")


if __name__ == "__main__":
    main()
