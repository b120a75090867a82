"""A fresh install: commands on a database that was never migrated (or is behind) say so in
one sentence, and `storefront db upgrade` says what it did. On SQLite and PostgreSQL."""

import os
import re
import subprocess
import sys

import pytest
from sqlalchemy import inspect

from storefront import create_app
from storefront.cli import main
from storefront.extensions import db
from tests.conftest import app_factory, base_config
from tests.support import sample_plugins as sp
from tests.support.postgres import free_port

UPGRADE = "run `storefront db upgrade`"
CREATED = re.compile(r"^Created (\d+) tables with (\d+) migrations; "
                     r"the database is at revision (\d{4} \(.*\))\.$")


@pytest.fixture
def fresh_shop(empty_database, tmp_path):
    """The shop with its built-in plugins, on the empty database."""
    with app_factory(empty_database, tmp_path / "instance",
                     LOAD_ENTRY_POINT_PLUGINS=True) as factory:
        yield factory


def storefront(app, *args, stdin=None):
    result = app.test_cli_runner().invoke(main, list(args), input=stdin)
    # A ClickException ends in SystemExit; any other exception would be a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        result.output, result.exception)
    return result


def refused_as_unmigrated(result) -> bool:
    return (result.exit_code == 1 and "has no tables yet" in result.output
            and UPGRADE in result.output and "Traceback" not in result.output)


def table_count(app) -> int:
    with app.app_context():
        return len(set(inspect(db.engine).get_table_names()) - {"alembic_version"})


def test_commands_on_a_database_without_tables_name_the_upgrade(fresh_shop):
    app = fresh_shop()
    for args, stdin in [(("plugins", "list"), None),
                        (("plugins", "enable", "points"), None),
                        (("jobs", "run"), None),
                        (("content", "sync"), None),
                        (("content", "check"), None),
                        (("users", "create-owner", "--email", "boss@example.com",
                          "--password-stdin"), "correct horse battery\n")]:
        result = storefront(app, *args, stdin=stdin)
        assert refused_as_unmigrated(result), (args, result.output)
        assert app.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1] in result.output
    assert table_count(app) == 0  # nothing was done half-way


def test_a_plugin_command_on_a_database_without_tables_names_the_upgrade(fresh_shop):
    app = fresh_shop(EXTRA_PLUGINS=[sp.Discounter()])
    assert refused_as_unmigrated(storefront(app, "discounter-hello"))


def test_commands_that_do_not_need_tables_still_run(fresh_shop, tmp_path):
    app = fresh_shop()
    made = storefront(app, "plugins", "new", "gift_wrap", "--dir", str(tmp_path))
    assert made.exit_code == 0 and "created" in made.output


def test_db_upgrade_reports_what_it_created_then_that_nothing_was_left(fresh_shop):
    app = fresh_shop()
    first = storefront(app, "db", "upgrade")
    assert first.exit_code == 0, first.output
    created = CREATED.match(first.output.strip())
    assert created, first.output
    tables, migrations, position = created.groups()
    assert int(tables) == table_count(app) and int(migrations) > 1
    for plugin in ("cards", "community", "events", "points", "tiers"):
        assert f"{plugin} " in position

    again = storefront(app, "db", "upgrade")
    assert again.exit_code == 0
    assert again.output.strip() == f"Already at revision {position}; nothing to apply."
    owner = storefront(app, "users", "create-owner", "--email", "boss@example.com",
                       "--password-stdin", stdin="correct horse battery\n")
    assert owner.exit_code == 0 and "owner boss@example.com created" in owner.output
    assert storefront(app, "plugins", "list").exit_code == 0


def test_a_database_behind_the_installation_is_refused_then_upgraded_the_rest_of_the_way(
        fresh_shop):
    app = fresh_shop()
    partial = storefront(app, "db", "upgrade", "0002")
    assert partial.exit_code == 0
    assert "the database is at revision 0002; " in partial.output
    assert "not applied yet (" in partial.output and "points p001" in partial.output

    behind = storefront(app, "plugins", "list")
    assert behind.exit_code == 1 and "Traceback" not in behind.output
    assert "is at revision 0002 and lacks" in behind.output and UPGRADE in behind.output
    assert "0003" in behind.output and "points p001" in behind.output

    rest = storefront(app, "db", "upgrade")
    lines = rest.output.strip().splitlines()
    assert re.match(r"Applied \d+ migrations:$", lines[0]), rest.output
    assert "  0003: notifications outbox, marketing opt-out" in lines
    assert "  points p001: points plugin: accounts, lots, entries" in lines
    assert re.match(r"Created \d+ tables; the database is at revision \d{4} \(.*cards c001",
                    lines[-1]), rest.output
    assert storefront(app, "plugins", "list").exit_code == 0


def test_a_database_that_cannot_be_reached_is_named(tmp_path):
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/shop"
    instance = tmp_path / "instance"
    app = create_app(base_config(url, instance), instance_path=str(instance))
    result = storefront(app, "jobs", "run")
    assert result.exit_code == 1
    assert "cannot be read" in result.output and "DATABASE_URL" in result.output


def test_the_real_command_on_a_fresh_sqlite_file(tmp_path):
    env = {**os.environ,
           "STOREFRONT_SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/shop.sqlite3",
           "STOREFRONT_SECRET_KEY": "x" * 10 + "first-run-secret-for-this-test-0123456789"}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "storefront.cli", *args], env=env,
                              capture_output=True, text=True, timeout=120, cwd=tmp_path)

    listing = run("plugins", "list")
    assert listing.returncode == 1 and "Traceback" not in listing.stderr
    assert listing.stderr.strip() == (
        f"Error: The database sqlite:///{tmp_path}/shop.sqlite3 has no tables yet; "
        "run `storefront db upgrade` to create them.")
    upgraded = run("db", "upgrade")
    assert upgraded.returncode == 0 and CREATED.match(upgraded.stdout.strip()), upgraded
    assert run("plugins", "list").returncode == 0
