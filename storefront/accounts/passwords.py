"""Password hashing: argon2id at OWASP's recommended minimum (m=19 MiB, t=2, p=1)."""

from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so both cases cost the same time. Made
    on first use (an argon2 hash takes about 50 ms), not by every process that imports."""
    return HASHER.hash("storefront-timing-equaliser")

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    dummy = _dummy_hash()  # made before either branch, so the first call costs the same
    try:
        return HASHER.verify(stored_hash or dummy, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)
