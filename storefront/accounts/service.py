"""Accounts: creation, password checks, and single-use password reset tokens. The limits on
attempts are in storefront/web/throttle.py."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from storefront import events
from storefront.accounts.models import PasswordResetToken, Role, User, new_session_token
from storefront.accounts.passwords import hash_password, needs_rehash, verify_password
from storefront.extensions import db
from storefront.timeutil import utcnow


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(email: str, password: str, name: str = "", role: Role = Role.CUSTOMER) -> User:
    """Create an account (staff, the command line; shoppers register through
    ``registration``)."""
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise AccountError("An account with this email already exists.")
    user = User(email=email, name=name.strip(), password_hash=hash_password(password),
                role=role.value)
    db.session.add(user)
    db.session.commit()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user if the password matches. Unknown emails cost the same time as known ones.
    Callers take a slot of the attempt limits first (throttle.take_login)."""
    email = normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == email))
    if not verify_password(user.password_hash if user else None, password):
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        db.session.commit()
    return user


def end_sessions(user: User) -> None:
    """Invalidate every session cookie of this user (logout, password change)."""
    user.session_token = new_session_token()
    db.session.commit()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


RESET, VERIFY = "reset", "verify"
VERIFY_MAX_AGE = 7 * 24 * 3600


def issue_token(user: User, purpose: str = RESET) -> str:
    token = secrets.token_urlsafe(32)
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"] if purpose == RESET else VERIFY_MAX_AGE
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=_digest(token),
                                      purpose=purpose,
                                      expires_at=utcnow() + timedelta(seconds=max_age)))
    db.session.commit()
    return token


def issue_reset_token(user: User) -> str:
    return issue_token(user, RESET)


def valid_token(token: str, purpose: str = RESET) -> PasswordResetToken | None:
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _digest(token),
                                         PasswordResetToken.purpose == purpose)
    )
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    return row


def valid_reset_token(token: str) -> PasswordResetToken | None:
    return valid_token(token, RESET)


def _consume(token: str, purpose: str) -> User:
    row = valid_token(token, purpose)
    if row is None:
        raise AccountError(_("This link has expired or was already used."))
    # Conditional update: two concurrent uses of one link, only one wins.
    used = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if not used:
        db.session.rollback()
        raise AccountError(_("This link has expired or was already used."))
    return db.session.get(User, row.user_id)


def mark_verified(user: User) -> None:
    """Verify the address once; the first time, with the event ``customer.verified``."""
    if db.session.execute(
            update(User).where(User.id == user.id, User.email_verified_at.is_(None))
            .values(email_verified_at=utcnow())).rowcount:
        events.record("customer.verified", aggregate_type="customer", aggregate_id=user.id,
                      payload={"user_id": user.id})


def reset_password(token: str, new_password: str) -> User:
    user = _consume(token, RESET)
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    mark_verified(user)  # they read the mail sent to that address
    db.session.commit()
    return user


def verify_email(token: str) -> User:
    user = _consume(token, VERIFY)
    mark_verified(user)
    db.session.commit()
    return user
