"""Server-side sessions stored in the database (no Redis needed, shared by every worker).

The cookie carries a random id; the table keeps only its SHA-256, so a leaked
database does not leak live sessions. Logging in always makes a new id (rotation);
changing or resetting a password ends the user's other sessions.
"""

from __future__ import annotations

import hashlib
import secrets
from contextvars import ContextVar
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, select

from core.db import utcnow
from core.models import User, WebSession

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "COOKIE_NAME",
    "create_session",
    "destroy_session",
    "destroy_user_sessions",
    "has_flash",
    "hash_id",
    "load_session",
    "load_session_and_user",
    "new_token",
    "no_flash",
    "pop_flash",
    "purge_expired",
    "push_flash",
)

COOKIE_NAME = "sanshe_session"
_FLASH = "flash"
# The cookie value of the request's session when the middleware saw it without notices:
# pop_flash() then needs no second read of the row (push_flash() clears it).
no_flash: ContextVar[str | None] = ContextVar("no_flash", default=None)


def new_token() -> str:
    """A random, URL-safe secret."""
    return secrets.token_urlsafe(32)


def hash_id(raw: str) -> str:
    """What the table stores for a cookie value or an API token."""
    return hashlib.sha256(raw.encode()).hexdigest()


async def create_session(session: AsyncSession, user_id: int | None, max_age: int) -> tuple[str, WebSession]:
    """Create a session; return the raw cookie value and the row."""
    raw = new_token()
    row = WebSession(
        id_hash=hash_id(raw),
        user_id=user_id,
        csrf_token=new_token(),
        expires_at=utcnow() + timedelta(seconds=max_age),
        data={},
    )
    session.add(row)
    await session.flush()
    return raw, row


async def load_session(session: AsyncSession, raw: str) -> WebSession | None:
    """The live session for a cookie value, or ``None``."""
    if not raw or len(raw) > 200:
        return None
    row = (await session.execute(select(WebSession).where(WebSession.id_hash == hash_id(raw)))).scalar_one_or_none()
    if row is None or row.expires_at <= utcnow():
        return None
    return row


# Built once: a statement object reused keeps its cache key (SQLAlchemy memoizes it on the object).
_SESSION_AND_USER = (
    select(WebSession, User)
    .outerjoin(User, User.id == WebSession.user_id)
    .where(WebSession.id_hash == bindparam("id_hash"))
)


async def load_session_and_user(session: AsyncSession, raw: str) -> tuple[WebSession | None, User | None]:
    """The live session for a cookie value and its user (one query), or ``(None, None)``."""
    if not raw or len(raw) > 200:
        return None, None
    found = (await session.execute(_SESSION_AND_USER, {"id_hash": hash_id(raw)})).first()
    if found is None or found[0].expires_at <= utcnow():
        return None, None
    return found[0], found[1]


def has_flash(row: WebSession) -> bool:
    """Whether the session keeps notices for the next page."""
    return bool((row.data or {}).get(_FLASH))


async def destroy_session(session: AsyncSession, raw: str) -> None:
    """Delete a session (logout, or rotation at login)."""
    await session.execute(delete(WebSession).where(WebSession.id_hash == hash_id(raw)))


async def destroy_user_sessions(session: AsyncSession, user_id: int, *, keep: str | None = None) -> int:
    """End every session of a user except the one whose cookie value is ``keep``; return how many."""
    statement = delete(WebSession).where(WebSession.user_id == user_id)
    if keep:
        statement = statement.where(WebSession.id_hash != hash_id(keep))
    result = await session.execute(statement)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def purge_expired(session: AsyncSession) -> int:
    """Delete expired sessions; return how many."""
    result = await session.execute(delete(WebSession).where(WebSession.expires_at <= utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def push_flash(session: AsyncSession, raw: str | None, message: str) -> None:
    """Keep a one-time notice (already translated) for the next page this session opens."""
    no_flash.set(None)
    row = await load_session(session, raw) if raw else None
    if row is not None:
        row.data = {**(row.data or {}), _FLASH: [*(row.data or {}).get(_FLASH, []), message]}


async def pop_flash(session: AsyncSession, raw: str | None) -> list[str]:
    """The notices kept by :func:`push_flash` (each shown once)."""
    if raw and no_flash.get() == raw:
        return []
    row = await load_session(session, raw) if raw else None
    if row is None or not (row.data or {}).get(_FLASH):
        return []
    messages = [str(m) for m in row.data[_FLASH]]
    row.data = {k: v for k, v in row.data.items() if k != _FLASH}
    return messages
