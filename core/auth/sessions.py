"""Server-side sessions stored in the database (no Redis needed, shared by every worker).

The cookie carries a random id; the table keeps only its SHA-256, so a leaked
database does not leak live sessions. Logging in always makes a new id (rotation).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from core.db import utcnow
from core.models import WebSession

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("COOKIE_NAME", "create_session", "destroy_session", "hash_id", "load_session", "new_token")

COOKIE_NAME = "sanshe_session"


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
    row = (await session.execute(select(WebSession).where(WebSession.id_hash == hash_id(raw)))).scalar_one_or_none()
    if row is None or row.expires_at <= utcnow():
        return None
    return row


async def destroy_session(session: AsyncSession, raw: str) -> None:
    """Delete a session (logout, or rotation at login)."""
    await session.execute(delete(WebSession).where(WebSession.id_hash == hash_id(raw)))


async def purge_expired(session: AsyncSession) -> int:
    """Delete expired sessions; return how many."""
    result = await session.execute(delete(WebSession).where(WebSession.expires_at <= utcnow()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
