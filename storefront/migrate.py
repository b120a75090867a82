"""Schema migrations with Alembic, driven from the app's engine."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from flask import Flask
from sqlalchemy import Connection, column, delete, insert, inspect, table, text

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


@dataclass(frozen=True)
class Revision:
    """One migration: ``id`` such as ``0008`` or ``p002``; ``branch`` is the plugin's
    branch label (``points``), empty for the core's own migrations."""

    id: str
    branch: str
    doc: str

    @classmethod
    def of(cls, script: Script) -> Revision:
        return cls(script.revision, min(script.branch_labels, default=""),
                   (script.doc or "").strip())

    def __str__(self) -> str:
        return f"{self.branch} {self.id}" if self.branch else self.id


@dataclass(frozen=True)
class SchemaState:
    """Where the database is (the newest revision of each branch it has) and the
    migrations of this installation it still lacks, in the order they apply."""

    heads: tuple[Revision, ...]
    pending: tuple[Revision, ...]

    @property
    def empty(self) -> bool:
        return not self.heads

    @property
    def current(self) -> bool:
        return not self.pending

    def position(self) -> str:
        """``0008 (cards c001, points p002)``: the core's revision, then the plugins'."""
        core = [head.id for head in self.heads if not head.branch]
        plugins = sorted(str(head) for head in self.heads if head.branch)
        if not core:
            return ", ".join(plugins) or "none"
        return f"{core[0]} ({', '.join(plugins)})" if plugins else core[0]


@dataclass(frozen=True)
class UpgradeReport:
    """What ``upgrade`` applied, and where the database is now."""

    applied: tuple[Revision, ...]
    tables_created: int
    was_empty: bool
    state: SchemaState


def schema_state(app: Flask) -> SchemaState:
    """Compare the database's revisions with the migrations of the core and of every
    installed plugin."""
    with app.app_context(), db.engine.connect() as connection:
        cfg = alembic_config(app, connection)
        return _state(ScriptDirectory.from_config(cfg), connection)


def _state(script: ScriptDirectory, connection: Connection) -> SchemaState:
    scripts = list(script.walk_revisions())  # newest first
    known = {found.revision: found for found in scripts}
    marks = [mark for mark in MigrationContext.configure(connection).get_current_heads()
             if mark in known]  # marks of plugins no longer installed are left out
    applied = {done.revision for mark in marks for done in script.iterate_revisions(mark, "base")}
    return SchemaState(
        heads=tuple(Revision.of(known[mark]) for mark in marks),
        pending=tuple(Revision.of(found) for found in reversed(scripts)
                      if found.revision not in applied),
    )


def upgrade(app: Flask, revision: str = "heads") -> UpgradeReport:
    """Apply migrations. Marks left by plugins that are no longer installed are set aside
    while Alembic runs and put back after: their tables stay, and reinstalling the plugin
    continues where it left off."""
    with app.app_context(), db.engine.begin() as connection:
        cfg = alembic_config(app, connection)
        script = ScriptDirectory.from_config(cfg)
        before, tables_before = _state(script, connection), _table_count(connection)
        orphans = _orphan_marks(script, connection)
        version = table("alembic_version", column("version_num"))
        if orphans:
            connection.execute(delete(version).where(version.c.version_num.in_(orphans)))
        command.upgrade(cfg, revision)
        for mark in orphans:
            connection.execute(insert(version).values(version_num=mark))
        after = _state(script, connection)
        created = _table_count(connection) - tables_before
    applied = tuple(found for found in before.pending if found not in after.pending)
    return UpgradeReport(applied=applied, tables_created=max(created, 0),
                         was_empty=before.empty, state=after)


def _table_count(connection: Connection) -> int:
    return sum(name != "alembic_version" for name in inspect(connection).get_table_names())


def _orphan_marks(script: ScriptDirectory, connection: Connection) -> list[str]:
    if not inspect(connection).has_table("alembic_version"):
        return []
    known = {rev.revision for rev in script.walk_revisions()}
    marks = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
    return [mark for mark in marks if mark not in known]


def revision(app: Flask, message: str) -> None:
    with app.app_context(), db.engine.begin() as connection:
        command.revision(alembic_config(app, connection), message=message, autogenerate=True,
                         version_path=str(MIGRATIONS / "versions"))
