from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storefront.extensions import db
from storefront.timeutil import utcnow


class Role(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    MANAGER = "manager"
    OWNER = "owner"


ROLE_RANK = {Role.CUSTOMER: 0, Role.STAFF: 1, Role.MANAGER: 2, Role.OWNER: 3}


def new_session_token() -> str:
    return secrets.token_urlsafe(16)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default=Role.CUSTOMER.value)
    # Rotated on logout and password change: old session cookies stop working at once.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    marketing_opt_out: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(8), default="")  # "" until they choose one
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, role: Role) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[role]

    @property
    def is_staff(self) -> bool:
        return self.has_role(Role.STAFF)


class PasswordResetToken(db.Model):
    """A single-use link sent by mail (password reset or email verification).
    Only the SHA-256 of the token is stored."""

    __tablename__ = "password_reset_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16), default="reset", server_default="reset")
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class PendingRegistration(db.Model):
    """A registration waiting for its e-mail link: the account is created only when the
    link is opened, so an address nobody confirmed never has an account (and registering
    answers the same whether or not the address has one). Only the SHA-256 of the token is
    stored."""

    __tablename__ = "pending_registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    next_url: Mapped[str] = mapped_column(String(500), default="")
    expires_at: Mapped[datetime] = mapped_column(index=True)
