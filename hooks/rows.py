"""Database idioms for plugin tables that work on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from hooks.api import session

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def dialect_insert(db: Session) -> Callable:
    """The INSERT (with ON CONFLICT) of the session's database. Imported here: SQLAlchemy's
    PostgreSQL dialect takes about 15 ms to import, which a shop on SQLite (and every
    command's start-up) need not pay."""
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def insert_once(model, keys: list[str], **values) -> bool:
    """INSERT ... ON CONFLICT (keys) DO NOTHING: True when this call added the row. Safe
    under concurrency: of two transactions inserting the same keys, one adds the row and the
    other (on PostgreSQL, after waiting for the first to commit) adds nothing."""
    db = session()
    insert = dialect_insert(db)
    table = model.__table__
    added = db.execute(insert(table).values(**values).on_conflict_do_nothing(
        index_elements=keys).returning(*table.primary_key.columns))
    return added.first() is not None
