"""Login throttling per account and per IP address, in the database (shared by all workers)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select

from core.db import utcnow
from core.models import LoginAttempt

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.config import Settings

__all__ = ("clear_failures", "minutes_locked", "record_failure")


async def minutes_locked(session: AsyncSession, settings: Settings, username: str, ip: str) -> int:
    """Minutes until another login may be tried for this account or from this IP (0: allowed now)."""
    since = utcnow() - timedelta(seconds=settings.login_window_seconds)
    waits = []
    for column, value, limit in (
        (LoginAttempt.username, username.lower(), settings.login_max_failures_account),
        (LoginAttempt.ip, ip, settings.login_max_failures_ip),
    ):
        count, oldest = (
            await session.execute(
                select(func.count(), func.min(LoginAttempt.attempted_at)).where(
                    column == value, LoginAttempt.attempted_at > since
                )
            )
        ).one()
        if count >= limit and oldest is not None:
            remaining = (oldest + timedelta(seconds=settings.login_window_seconds) - utcnow()).total_seconds()
            waits.append(max(1, math.ceil(remaining / 60)))
    return max(waits, default=0)


async def record_failure(session: AsyncSession, username: str, ip: str) -> None:
    """Count one failed login."""
    session.add(LoginAttempt(username=username.lower()[:64], ip=ip[:64]))
    await session.flush()


async def clear_failures(session: AsyncSession, username: str) -> None:
    """Forget an account's failures after a successful login."""
    await session.execute(delete(LoginAttempt).where(LoginAttempt.username == username.lower()))
