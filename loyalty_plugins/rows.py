"""Database idioms shared by the built-in plugins (SQLite and PostgreSQL alike)."""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hooks import session


def insert_once(model, keys: list[str], **values) -> bool:
    """INSERT ... ON CONFLICT (keys) DO NOTHING: True when this call added the row. Safe
    under concurrency: of two transactions inserting the same keys, one adds the row and the
    other (on PostgreSQL, after waiting for the first to commit) adds nothing."""
    db = session()
    insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = model.__table__
    added = db.execute(insert(table).values(**values).on_conflict_do_nothing(
        index_elements=keys).returning(*table.primary_key.columns))
    return added.first() is not None
