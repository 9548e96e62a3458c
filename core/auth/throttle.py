"""Login throttling per account and per IP address, in the database (shared by all workers).

A failed login is one row. When an account has had ``login_max_failures_account``
failures within ``login_window_seconds``, or an IP address ``login_max_failures_ip``,
further logins for it are refused, even with the right password, until the oldest
failure leaves the window. A successful login clears the account's failures.
"""

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

_MAX = 64  # column width of LoginAttempt.username / .ip


def _account(username: str) -> str:
    return username.strip().lower()[:_MAX]


async def minutes_locked(session: AsyncSession, settings: Settings, username: str, ip: str) -> int:
    """Minutes until another login may be tried for this account or from this IP (0: allowed now)."""
    now = utcnow()
    since = now - timedelta(seconds=settings.login_window_seconds)
    waits = []
    for column, value, limit in (
        (LoginAttempt.username, _account(username), settings.login_max_failures_account),
        (LoginAttempt.ip, ip[:_MAX], settings.login_max_failures_ip),
    ):
        count, oldest = (
            await session.execute(
                select(func.count(), func.min(LoginAttempt.attempted_at)).where(
                    column == value, LoginAttempt.attempted_at > since
                )
            )
        ).one()
        if count >= limit and oldest is not None:
            remaining = (oldest + timedelta(seconds=settings.login_window_seconds) - now).total_seconds()
            waits.append(max(1, math.ceil(remaining / 60)))
    return max(waits, default=0)


async def record_failure(session: AsyncSession, username: str, ip: str, settings: Settings | None = None) -> None:
    """Count one failed login (and, given ``settings``, forget failures older than the window)."""
    if settings is not None:
        since = utcnow() - timedelta(seconds=settings.login_window_seconds)
        await session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at <= since))
    session.add(LoginAttempt(username=_account(username), ip=ip[:_MAX]))
    await session.flush()


async def clear_failures(session: AsyncSession, username: str) -> None:
    """Forget an account's failures after a successful login."""
    await session.execute(delete(LoginAttempt).where(LoginAttempt.username == _account(username)))
