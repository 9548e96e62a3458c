"""Password hashing with argon2 (argon2-cffi's recommended parameters)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ("MIN_LENGTH", "check_password_strength", "hash_password", "needs_rehash", "verify_password")

_hasher = PasswordHasher()
MIN_LENGTH = 8
# A real hash of a random string: verifying against it when the user does not exist
# costs the same time as a real check, so response time does not reveal usernames.
_DUMMY_HASH = _hasher.hash("sanshe-no-such-user")


def hash_password(password: str) -> str:
    """Hash ``password`` for storage."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password`` against a stored hash (constant work even when there is none)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older parameters."""
    return _hasher.check_needs_rehash(password_hash)


def check_password_strength(password: str, username: str = "") -> str | None:
    """Return a message (msgid) when ``password`` is too weak, else ``None``."""
    if len(password) < MIN_LENGTH:
        return "The password must have at least 8 characters."
    if username and password.lower() == username.lower():
        return "The password must not be the same as the username."
    return None
