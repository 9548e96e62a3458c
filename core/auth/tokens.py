"""Personal API tokens: ``Authorization: Bearer sst_…``, hashed at rest, one district each."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.auth.sessions import hash_id
from core.db import utcnow
from core.models import ApiToken, User

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("TOKEN_PREFIX", "create_token", "lookup_token", "revoke_token")

TOKEN_PREFIX = "sst_"


async def create_token(session: AsyncSession, user: User, district_id: int, name: str) -> tuple[str, ApiToken]:
    """Create a token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, district_id=district_id, name=name, token_hash=hash_id(raw), prefix=raw[:10])
    session.add(row)
    await session.flush()
    return raw, row


async def lookup_token(session: AsyncSession, raw: str) -> tuple[ApiToken, User] | None:
    """The live token and its active user for a raw value, or ``None``."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    row = (
        await session.execute(
            select(ApiToken, User)
            .join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == hash_id(raw), ApiToken.revoked_at.is_(None), User.is_active.is_(True))
        )
    ).first()
    if row is None:
        return None
    token, user = row
    token.last_used_at = utcnow()
    return token, user


async def revoke_token(session: AsyncSession, token: ApiToken) -> None:
    """Revoke a token (kept for the record)."""
    token.revoked_at = utcnow()
    await session.flush()
