"""Accounts: creation, login throttling, and single-use password reset tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from storefront.accounts.models import (
    LoginFailure,
    PasswordResetToken,
    Role,
    User,
    new_session_token,
)
from storefront.accounts.passwords import hash_password, needs_rehash, verify_password
from storefront.extensions import db
from storefront.timeutil import utcnow


class AccountError(ValueError):
    pass


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(email: str, password: str, name: str = "", role: Role = Role.CUSTOMER) -> User:
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise AccountError("An account with this email already exists.")
    user = User(email=email, name=name.strip(), password_hash=hash_password(password),
                role=role.value)
    db.session.add(user)
    db.session.commit()
    return user


def is_throttled(email: str) -> bool:
    cfg = current_app.config
    since = utcnow() - timedelta(seconds=cfg["LOGIN_FAILURE_WINDOW"])
    failures = db.session.scalar(
        select(func.count(LoginFailure.id)).where(
            LoginFailure.email == normalise_email(email), LoginFailure.at >= since
        )
    )
    return failures >= cfg["LOGIN_MAX_FAILURES"]


def authenticate(email: str, password: str, remote_addr: str) -> User | None:
    """The user if the password matches. Unknown emails cost the same time as known ones."""
    email = normalise_email(email)
    user = db.session.scalar(select(User).where(User.email == email))
    if not verify_password(user.password_hash if user else None, password):
        db.session.add(LoginFailure(email=email, remote_addr=remote_addr[:64]))
        db.session.commit()
        return None
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
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


def issue_reset_token(user: User) -> str:
    token = secrets.token_urlsafe(32)
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    db.session.add(PasswordResetToken(user_id=user.id, token_hash=_digest(token),
                                      expires_at=utcnow() + timedelta(seconds=max_age)))
    db.session.commit()
    return token


def valid_reset_token(token: str) -> PasswordResetToken | None:
    row = db.session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == _digest(token))
    )
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    return row


def reset_password(token: str, new_password: str) -> User:
    row = valid_reset_token(token)
    if row is None:
        raise AccountError("This reset link has expired or was already used.")
    # Conditional update: two concurrent uses of one link, only one wins.
    used = db.session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == row.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    ).rowcount
    if not used:
        db.session.rollback()
        raise AccountError("This reset link has expired or was already used.")
    user = db.session.get(User, row.user_id)
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    user.email_verified_at = user.email_verified_at or utcnow()  # they read the mail
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == user.email))
    db.session.commit()
    return user
