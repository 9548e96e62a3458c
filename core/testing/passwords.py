"""Cheap password hashing for test sessions.

argon2-cffi's recommended parameters (64 MiB, 3 passes) cost about a quarter of a second
per hash or check on the 2-core CI machine, and a suite logs in thousands of times. Test
sessions hash with the lowest argon2id parameters instead: the same code path (hashing,
verifying, upgrading an old hash at login), just cheap. Production never imports this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from argon2 import PasswordHasher

__all__ = ("FAST_MEMORY_COST", "FAST_PARALLELISM", "FAST_TIME_COST", "restore_hashing", "use_fast_hashing")

# argon2id, one pass over 1 MiB with one lane: microseconds instead of ~250 ms.
FAST_TIME_COST, FAST_MEMORY_COST, FAST_PARALLELISM = 1, 1024, 1
_original: list[tuple[PasswordHasher, str]] = []


def use_fast_hashing() -> None:
    """Make :mod:`core.auth.passwords` hash and check with the ``FAST_*`` parameters here."""
    from argon2 import PasswordHasher  # noqa: PLC0415

    from core.auth import passwords  # noqa: PLC0415

    if not _original:
        _original.append((passwords._hasher, passwords._DUMMY_HASH))
    passwords._hasher = PasswordHasher(
        time_cost=FAST_TIME_COST, memory_cost=FAST_MEMORY_COST, parallelism=FAST_PARALLELISM
    )
    passwords._DUMMY_HASH = passwords._hasher.hash("sanshe-no-such-user")


def restore_hashing() -> None:
    """Go back to the production parameters (undoes :func:`use_fast_hashing`)."""
    from core.auth import passwords  # noqa: PLC0415

    if _original:
        passwords._hasher, passwords._DUMMY_HASH = _original.pop()
