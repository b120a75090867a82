"""Demo accounts: fixed, public passwords, for the demo shop only."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from storefront.accounts.models import Role, User
from storefront.accounts.service import create_user
from storefront.extensions import db

DEMO_ACCOUNTS = (
    (Role.OWNER, "owner@demo.shop", "owner-demo-pass", "Olivia Owner"),
    (Role.STAFF, "staff@demo.shop", "staff-demo-pass", "Sam Staff"),
    (Role.CUSTOMER, "member@demo.shop", "member-demo-pass", "Mia Member"),
)


def ensure_demo_accounts() -> list[tuple[str, str, str]]:
    if current_app.config["ENV_NAME"] == "production":
        raise RuntimeError("demo accounts are never created in production")
    shown = []
    for role, email, password, name in DEMO_ACCOUNTS:
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            create_user(email, password, name, role)
        shown.append((role.value, email, password))
    return shown
