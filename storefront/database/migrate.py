"""Schema migrations with Alembic, driven from the app's engine."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import Script, ScriptDirectory
from flask import Flask
from sqlalchemy import Connection, column, delete, insert, inspect, select, table, text

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
    marks = _known_marks(script, connection)
    applied = {done.revision for mark in marks for done in script.iterate_revisions(mark, "base")}
    newest: dict[str, Script] = {}  # per branch (each is a line): its newest applied revision
    for found in scripts:
        if found.revision in applied:
            newest.setdefault(min(found.branch_labels, default=""), found)
    return SchemaState(
        heads=tuple(Revision.of(found) for found in newest.values()),
        pending=tuple(Revision.of(found) for found in reversed(scripts)
                      if found.revision not in applied),
    )


# Each mark in alembic_version with the newest revision of every other branch it implies
# (through ``depends_on``). A plugin migration that depends on the core's latest revision
# takes the core's place in alembic_version; once that plugin is uninstalled its mark means
# nothing to Alembic, and the core's revision is read back from here.
SCHEMA_MARK = table("schema_mark", column("mark"), column("implies"))


def _marks(connection: Connection) -> list[str]:
    if not inspect(connection).has_table("alembic_version"):
        return []
    return list(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def _implied_by(connection: Connection, orphans: list[str]) -> dict[str, list[str]]:
    if not orphans or not inspect(connection).has_table("schema_mark"):
        return {}
    rows = connection.execute(select(SCHEMA_MARK.c.mark, SCHEMA_MARK.c.implies)
                              .where(SCHEMA_MARK.c.mark.in_(orphans)))
    return {mark: implies.split() for mark, implies in rows}


def _known_marks(script: ScriptDirectory, connection: Connection) -> list[str]:
    """The marks of this installation's branches, with those that uninstalled plugins'
    marks stood for (marks of plugins no longer installed are left out)."""
    known = {found.revision for found in script.walk_revisions()}
    marks = _marks(connection)
    found = [mark for mark in marks if mark in known]
    orphans = [mark for mark in marks if mark not in known]
    for implied in _implied_by(connection, orphans).values():
        found.extend(mark for mark in implied if mark in known and mark not in found)
    return _heads_only(script, found)


def _heads_only(script: ScriptDirectory, marks: list[str]) -> list[str]:
    """Drop the marks another mark already implies."""
    below = {done.revision for mark in marks for done in script.iterate_revisions(mark, "base")
             if done.revision != mark}
    return [mark for mark in marks if mark not in below]


def _record_marks(script: ScriptDirectory, connection: Connection) -> None:
    """Write down what each known mark implies in the other branches."""
    if not inspect(connection).has_table("schema_mark"):
        return
    known = {found.revision for found in script.walk_revisions()}
    for mark in _marks(connection):
        if mark not in known:
            continue  # an uninstalled plugin's mark: its record stays as it was
        mine = script.get_revision(mark)
        newest: dict[str, str] = {}
        for done in script.iterate_revisions(mark, "base"):
            branch = min(done.branch_labels, default="")
            if done.revision != mark and branch != min(mine.branch_labels, default=""):
                newest.setdefault(branch, done.revision)  # newest first
        implies = " ".join(sorted(newest.values()))
        connection.execute(delete(SCHEMA_MARK).where(SCHEMA_MARK.c.mark == mark))
        connection.execute(insert(SCHEMA_MARK).values(mark=mark, implies=implies))


def upgrade(app: Flask, revision: str = "heads") -> UpgradeReport:
    """Apply migrations. Marks left by plugins that are no longer installed are set aside
    while Alembic runs, replaced by the revisions of installed branches they stood for, and
    put back after: their tables stay, and reinstalling the plugin continues where it left
    off."""
    with app.app_context(), db.engine.begin() as connection:
        cfg = alembic_config(app, connection)
        script = ScriptDirectory.from_config(cfg)
        before, tables_before = _state(script, connection), _table_count(connection)
        known = {rev.revision for rev in script.walk_revisions()}
        marks = _marks(connection)
        orphans = [mark for mark in marks if mark not in known]
        stand_ins = [mark for mark in _known_marks(script, connection) if mark not in marks]
        version = table("alembic_version", column("version_num"))
        if orphans:
            connection.execute(delete(version).where(version.c.version_num.in_(orphans)))
            for mark in stand_ins:
                connection.execute(insert(version).values(version_num=mark))
        command.upgrade(cfg, revision)
        if orphans:  # a stand-in still in place is implied by its orphan again
            connection.execute(delete(version).where(version.c.version_num.in_(stand_ins)))
            for mark in orphans:
                connection.execute(insert(version).values(version_num=mark))
        _record_marks(script, connection)
        after = _state(script, connection)
        created = _table_count(connection) - tables_before
    applied = tuple(found for found in before.pending if found not in after.pending)
    return UpgradeReport(applied=applied, tables_created=max(created, 0),
                         was_empty=before.empty, state=after)


def _table_count(connection: Connection) -> int:
    return sum(name != "alembic_version" for name in inspect(connection).get_table_names())


def revision(app: Flask, message: str) -> None:
    with app.app_context(), db.engine.begin() as connection:
        command.revision(alembic_config(app, connection), message=message, autogenerate=True,
                         version_path=str(MIGRATIONS / "versions"))
