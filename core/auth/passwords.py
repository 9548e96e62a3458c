"""Password hashing with argon2 (argon2-cffi's recommended parameters) and a strength check."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ("MAX_LENGTH", "MIN_LENGTH", "check_password_strength", "hash_password", "needs_rehash", "verify_password")

_hasher = PasswordHasher()
MIN_LENGTH = 8
# Long enough for any passphrase, short enough that hashing it is no denial of service.
MAX_LENGTH = 256
# A real hash of a random string: verifying against it when the user does not exist
# costs the same time as a real check, so response time does not reveal usernames.
_DUMMY_HASH = _hasher.hash("sanshe-no-such-user")
# The passwords people try first (NIST SP 800-63B: refuse known-compromised values).
_COMMON = frozenset(
    {
        "12345678", "123456789", "1234567890", "87654321", "11111111", "00000000", "88888888",
        "66666666", "password", "password1", "passw0rd", "qwertyui", "qwerty123", "abcdefgh",
        "abc12345", "a1234567", "iloveyou", "woaini1314", "5201314520", "1qaz2wsx", "admin123",
        "administrator", "changeme", "letmein1", "welcome1", "sanshe123", "sanshe2026",
    }
)


def hash_password(password: str) -> str:
    """Hash ``password`` for storage."""
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check ``password`` against a stored hash (constant work even when there is none)."""
    if len(password) > MAX_LENGTH:
        password = password[:MAX_LENGTH]
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older parameters."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return True


def check_password_strength(password: str, username: str = "") -> str | None:
    """Return a message (an English msgid, translate it with ``gettext``) when weak, else ``None``."""
    if len(password) < MIN_LENGTH:
        return "The password must have at least 8 characters."
    if len(password) > MAX_LENGTH:
        return "The password must have at most 256 characters."
    if password.strip() != password or not password.strip():
        return "The password must not start or end with a space."
    if len(set(password)) < 4:
        return "The password is too simple: use more different characters."
    if password.lower() in _COMMON:
        return "This password is too common; choose another one."
    if len(username) >= 3 and username.lower() in password.lower():
        return "The password must not contain the username."
    return None
