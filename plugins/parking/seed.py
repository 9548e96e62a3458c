"""Demo data for ``sanshe demo``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("seed_parking",)


async def seed_parking(session: AsyncSession, district: District) -> None:
    """Placeholder replaced below."""
