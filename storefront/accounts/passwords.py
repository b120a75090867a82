"""Password hashing: argon2id, by default at OWASP's recommended minimum (m=19 MiB, t=2, p=1).

``PASSWORD_HASH_MEMORY_KIB`` and ``PASSWORD_HASH_TIME_COST`` raise the cost; in production
the shop refuses to start below that minimum (``config.check_password_hashing``). A stored
hash keeps the cost it was made with, and is made again at the configured cost at the next
log-in."""

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

from storefront.config import OWASP_HASH_MEMORY_KIB, OWASP_HASH_TIME_COST

MIN_PASSWORD_LENGTH = 10


@cache
def _hasher(memory_kib: int, time_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1,
                          type=Type.ID)


def _configured() -> PasswordHasher:
    """The app's cost; outside an app (a script preparing accounts), the default one."""
    if not has_app_context():
        return _hasher(OWASP_HASH_MEMORY_KIB, OWASP_HASH_TIME_COST)
    config = current_app.config
    return _hasher(config["PASSWORD_HASH_MEMORY_KIB"], config["PASSWORD_HASH_TIME_COST"])


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """Verified against when the email is unknown, so both cases cost the same time. Made
    on first use (an argon2 hash takes about 50 ms), not by every process that imports."""
    return hasher.hash("storefront-timing-equaliser")


def hash_password(password: str) -> str:
    return _configured().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    hasher = _configured()
    dummy = _dummy_hash(hasher)  # made before either branch, so the first call costs the same
    try:
        return hasher.verify(stored_hash or dummy, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _configured().check_needs_rehash(stored_hash)
