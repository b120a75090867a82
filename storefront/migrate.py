"""Schema migrations with Alembic, driven from the app's engine."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask

from storefront.extensions import db

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection=None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def upgrade(app: Flask, revision: str = "heads") -> None:
    with app.app_context(), db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def revision(app: Flask, message: str) -> None:
    with app.app_context(), db.engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)
