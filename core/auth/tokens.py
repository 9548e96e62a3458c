"""Personal API tokens: ``Authorization: Bearer sst_…``, hashed at rest, one district each."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.auth.sessions import hash_id
from core.db import utcnow
from core.models import ApiToken, District, User

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("NAME_MAX", "TOKEN_PREFIX", "create_token", "list_tokens", "lookup_token", "revoke_token")

TOKEN_PREFIX = "sst_"  # noqa: S105 - a public marker, not a secret
NAME_MAX = 100
# ``last_used_at`` is written at most this often, not on every request.
_TOUCH_EVERY = timedelta(seconds=60)


async def create_token(session: AsyncSession, user: User, district_id: int, name: str) -> tuple[str, ApiToken]:
    """Create a token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id, district_id=district_id, name=name.strip()[:NAME_MAX], token_hash=hash_id(raw), prefix=raw[:10]
    )
    session.add(row)
    await session.flush()
    return raw, row


async def lookup_token(session: AsyncSession, raw: str) -> tuple[ApiToken, User] | None:
    """The live token and its active user for a raw value, or ``None``."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
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
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at >= _TOUCH_EVERY:
        token.last_used_at = now
    return token, user


async def list_tokens(session: AsyncSession, user_id: int) -> list[tuple[ApiToken, District]]:
    """A user's tokens (revoked ones too), newest first, each with its district."""
    rows = await session.execute(
        select(ApiToken, District)
        .join(District, District.id == ApiToken.district_id)
        .where(ApiToken.user_id == user_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return [(token, district) for token, district in rows]


async def revoke_token(session: AsyncSession, token: ApiToken) -> bool:
    """Revoke a token (kept for the record); ``False`` when it already was."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    await session.flush()
    return True
