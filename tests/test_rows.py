"""hooks.insert_once: in the current session's transaction, never committing, and only on
keys that a unique constraint covers (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, UniqueConstraint, func, select
from sqlalchemy.exc import DBAPIError

from hooks import insert_once, session
from storefront.extensions import db


class Visit:
    """A plugin's table: one row per (member, day)."""

    __table__ = Table("kit_visit", MetaData(),
                      Column("id", Integer, primary_key=True),
                      Column("user_id", Integer, nullable=False),
                      Column("day", Integer, nullable=False),
                      Column("hits", Integer, nullable=False),
                      UniqueConstraint("user_id", "day"))


@pytest.fixture
def shop_with_visits(app):
    with app.app_context():
        Visit.__table__.create(db.engine)
        yield app


def visits() -> int:
    return session().scalar(select(func.count()).select_from(Visit.__table__))


def test_insert_once_adds_a_row_once_in_the_current_transaction_without_committing(
        shop_with_visits):
    assert insert_once(Visit, ["user_id", "day"], user_id=1, day=7, hits=1) is True
    assert insert_once(Visit, ["user_id", "day"], user_id=1, day=7, hits=2) is False
    assert visits() == 1  # seen by the same session
    session().rollback()  # not committed: taken back
    assert visits() == 0
    assert insert_once(Visit, ["user_id", "day"], user_id=1, day=7, hits=3) is True
    session().commit()
    assert session().scalar(select(Visit.__table__.c.hits)) == 3


def test_insert_once_needs_a_unique_constraint_on_its_keys(shop_with_visits):
    with pytest.raises(DBAPIError):
        insert_once(Visit, ["day"], user_id=1, day=7, hits=1)
