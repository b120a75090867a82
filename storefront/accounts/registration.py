"""Registration by e-mail link: the form answers the same whether or not the address has an
account, and the account is created only when the link in the mail is opened.

A new address gets a link that creates the account (and logs in); an address that has an
account gets a mail saying someone tried to register with it. Nobody can hold an address
they cannot read mail for, and nobody learns from the form who has an account.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, url_for
from flask_babel import lazy_gettext
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from storefront.accounts.models import PendingRegistration, User
from storefront.accounts.passwords import hash_password
from storefront.accounts.service import AccountError, normalise_email
from storefront.events import record
from storefront.extensions import db
from storefront.i18n import current_language
from storefront.notifications.service import notify
from storefront.timeutil import utcnow

LINK_MAX_AGE = 24 * 3600  # seconds a registration link works
EXPIRED = lazy_gettext("This link has expired or was already used.")
TAKEN = lazy_gettext("This address already has an account. Log in, or reset your password "
                     "if you forgot it.")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _link(endpoint: str, **values: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def start(email: str, name: str, password: str, next_url: str) -> None:
    """Mail the link that finishes registering, or tell the address's owner of the try."""
    email = normalise_email(email)
    password_hash = hash_password(password)  # for both kinds of address: the same time
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        notify("register_existing.txt",
               lazy_gettext("Someone tried to register with your address"), user_id=user.id,
               login_link=_link("accounts.login"), reset_link=_link("accounts.forgot_password"))
        db.session.commit()
        return
    token = secrets.token_urlsafe(32)
    db.session.execute(delete(PendingRegistration).where(
        PendingRegistration.expires_at < utcnow()))
    db.session.add(PendingRegistration(
        email=email, name=name.strip(), password_hash=password_hash, token_hash=_digest(token),
        next_url=next_url[:500], expires_at=utcnow() + timedelta(seconds=LINK_MAX_AGE)))
    notify("register_confirm.txt",
           lazy_gettext("Confirm your email address to finish registering"),
           email=email, name=name.strip(),
           link=_link("accounts.finish_registration", token=token), hours=LINK_MAX_AGE // 3600)
    db.session.commit()


def finish(token: str) -> tuple[User, str]:
    """Create the account of a registration link (once), verified; and where to go next."""
    row = db.session.scalar(select(PendingRegistration).where(
        PendingRegistration.token_hash == _digest(token)))
    if row is None or row.expires_at < utcnow():
        raise AccountError(str(EXPIRED))
    email, name, password_hash, next_url = row.email, row.name, row.password_hash, row.next_url
    # Conditional delete: two simultaneous uses of one link, only one goes on.
    if not db.session.execute(delete(PendingRegistration).where(
            PendingRegistration.id == row.id)).rowcount:
        db.session.rollback()
        raise AccountError(str(EXPIRED))
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        db.session.commit()
        raise AccountError(str(TAKEN))
    # The language they read the shop in becomes their account's: their mail is written in it.
    user = User(email=email, name=name, password_hash=password_hash, email_verified_at=utcnow(),
                language=current_language())
    db.session.add(user)
    db.session.execute(delete(PendingRegistration).where(PendingRegistration.email == email))
    try:
        db.session.flush()
        for event_type in ("customer.registered", "customer.verified"):
            record(event_type, aggregate_type="customer", aggregate_id=user.id,
                   payload={"user_id": user.id})
        db.session.commit()
    except IntegrityError:  # another link for the same address won a moment earlier
        db.session.rollback()
        raise AccountError(str(TAKEN)) from None
    return user, next_url
