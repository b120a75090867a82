"""Personal referral codes: eight characters that cannot be misread (no 0/O, 1/I/L), one per
member, made the first time the member sees theirs."""

from __future__ import annotations

import secrets

from flask import url_for
from sqlalchemy import select

from hooks import dialect_insert, session, utcnow
from loyalty_plugins.referrals.models import ReferralCode

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 8
COOKIE = "referral_code"


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def clean(text: str) -> str:
    """A code as typed ("abcd-2345 ", "abcd2345") the way it is stored."""
    return "".join(char for char in text.upper() if char.isalnum())[:16]


def code_of(user_id: int) -> str:
    """The member's code, made now if they have none. Two requests at once make one: the
    member's row is inserted once; a code another member already has (one chance in about
    10^11) inserts nothing either, and another is drawn. Does not commit."""
    db = session()
    mine = select(ReferralCode.code).where(ReferralCode.user_id == user_id)
    found = db.scalar(mine)
    while found is None:
        insert = dialect_insert(db)
        db.execute(insert(ReferralCode.__table__).values(
            user_id=user_id, code=new_code(), created_at=utcnow()).on_conflict_do_nothing())
        found = db.scalar(mine)
    return found


def owner_of(code: str) -> int | None:
    return session().scalar(select(ReferralCode.user_id).where(ReferralCode.code == clean(code)))


def link(code: str) -> str:
    return url_for("referrals.arrive", code=code, _external=True)
