"""Schema migrations with Alembic, driven from the app's engine."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask

from storefront.extensions import db

MIGRATIONS = Path(__file__).parent / "migrations"


def version_dirs(app: Flask) -> list[str]:
    """The core's migrations, then one Alembic branch per plugin that owns tables."""
    dirs = [str(MIGRATIONS / "versions")]
    pm = app.extensions["storefront.plugins"]
    for result in pm.hook.shop_migration_dirs():
        dirs.extend(str(Path(d).resolve()) for d in result or [])
    return dirs


def alembic_config(app: Flask, connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", os.pathsep.join(version_dirs(app)))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(app: Flask, revision: str = "heads") -> None:
    with app.app_context(), db.engine.begin() as connection:
        command.upgrade(alembic_config(app, connection), revision)


def revision(app: Flask, message: str) -> None:
    with app.app_context(), db.engine.begin() as connection:
        command.revision(alembic_config(app, connection), message=message, autogenerate=True,
                         version_path=str(MIGRATIONS / "versions"))
