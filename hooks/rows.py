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
    """INSERT ... ON CONFLICT (keys) DO NOTHING into ``model``'s table, with the current
    session (``hooks.session()``): True when this call added the row, False when a row with
    the same ``keys`` exists. It does not commit: the row is saved when that transaction is,
    and a rollback takes it back. ``keys`` must be the columns of a unique constraint (or
    unique index, or the primary key) of the table; the database refuses the statement
    otherwise. Safe under concurrency: of two transactions inserting the same keys, one adds
    the row and the other (on PostgreSQL, after waiting for the first to commit) adds
    nothing."""
    db = session()
    insert = dialect_insert(db)
    table = model.__table__
    added = db.execute(insert(table).values(**values).on_conflict_do_nothing(
        index_elements=keys).returning(*table.primary_key.columns))
    return added.first() is not None
