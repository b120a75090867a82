"""Schema migrations with Alembic, driven from the app's engine."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import column, delete, insert, inspect, table, text

from storefront.extensions import db
from storefront.plugins.setup import setup_each

MIGRATIONS = Path(__file__).parent / "migrations"


def version_dirs(app: Flask) -> list[str]:
    """The core's migrations, then one Alembic branch per plugin that owns tables."""
    dirs = [str(MIGRATIONS / "versions")]
    pm = app.extensions["storefront.plugins"]
    for _plugin, found in setup_each(pm, "shop_migration_dirs"):
        dirs.extend(str(Path(d).resolve()) for d in found)
    return dirs


def alembic_config(app: Flask, connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(version_dirs(app)))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(app: Flask, revision: str = "heads") -> None:
    """Apply migrations. Marks left by plugins that are no longer installed are set aside
    while Alembic runs and put back after: their tables stay, and reinstalling the plugin
    continues where it left off."""
    with app.app_context(), db.engine.begin() as connection:
        cfg = alembic_config(app, connection)
        orphans = _orphan_marks(cfg, connection)
        version = table("alembic_version", column("version_num"))
        if orphans:
            connection.execute(delete(version).where(version.c.version_num.in_(orphans)))
        command.upgrade(cfg, revision)
        for mark in orphans:
            connection.execute(insert(version).values(version_num=mark))


def _orphan_marks(cfg: Config, connection) -> list[str]:
    if not inspect(connection).has_table("alembic_version"):
        return []
    script = ScriptDirectory.from_config(cfg)
    known = {rev.revision for rev in script.walk_revisions()}
    marks = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return [mark for mark in marks if mark not in known]


def revision(app: Flask, message: str) -> None:
    with app.app_context(), db.engine.begin() as connection:
        command.revision(alembic_config(app, connection), message=message, autogenerate=True,
                         version_path=str(MIGRATIONS / "versions"))
