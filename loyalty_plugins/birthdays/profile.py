"""A member's birthday as they give it, with every change kept: who, when, from what to what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from hooks import insert_once, session
from loyalty_plugins.birthdays.dates import Birthdate
from loyalty_plugins.birthdays.models import Birthday, BirthdayChange


def of(user_id: int) -> Birthdate | None:
    row = session().get(Birthday, user_id)
    return None if row is None else Birthdate(row.day, row.month, row.year)


def save(user_id: int, value: Birthdate | None, by: str, now: datetime) -> bool:
    """Set (or, with None, remove) the member's birthday and record the change; False when
    it was that already (nothing written). Does not commit."""
    db = session()
    old = of(user_id)
    if old == value:
        return False
    if value is None:
        db.delete(db.get(Birthday, user_id))
    elif not insert_once(Birthday, ["user_id"], user_id=user_id, day=value.day,
                         month=value.month, year=value.year, updated_at=now):
        row = db.get(Birthday, user_id)
        row.day, row.month, row.year, row.updated_at = (value.day, value.month, value.year,
                                                        now)
    db.add(BirthdayChange(user_id=user_id, old_value=old.stored() if old else "",
                          new_value=value.stored() if value else "", changed_by=by,
                          changed_at=now))
    db.flush()
    return True


def changes(user_id: int) -> list[BirthdayChange]:
    return list(session().scalars(select(BirthdayChange)
                                  .where(BirthdayChange.user_id == user_id)
                                  .order_by(BirthdayChange.id.desc())))
