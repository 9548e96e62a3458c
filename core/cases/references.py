"""Human case references per district and year: ``HS-2026-000123``.

The counter row is bumped with ``UPDATE … RETURNING`` inside the case's transaction:
PostgreSQL locks the row and SQLite has one writer at a time, so concurrent creations
never share a number; a rolled-back creation gives its number back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import insert, update
from sqlalchemy.dialects import postgresql, sqlite

from core.i18n import TIMEZONE
from core.models.cases import CaseCounter

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

__all__ = ("next_reference",)


async def next_reference(session: AsyncSession, district: District, now: datetime) -> str:
    """Reserve and return the next reference of ``district`` for ``now``'s year (China time)."""
    year = now.astimezone(TIMEZONE).year
    bump = (
        update(CaseCounter)
        .where(CaseCounter.district_id == district.id, CaseCounter.year == year)
        .values(value=CaseCounter.value + 1)
        .returning(CaseCounter.value)
    )
    value = (await session.execute(bump)).scalar_one_or_none()
    if value is None:
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        make = postgresql.insert if dialect == "postgresql" else sqlite.insert if dialect == "sqlite" else insert
        stmt = make(CaseCounter).values(district_id=district.id, year=year, value=0)
        await session.execute(stmt.on_conflict_do_nothing())  # type: ignore[attr-defined]
        value = (await session.execute(bump)).scalar_one()
    prefix = district.ref_prefix or district.code[:2].upper()
    return f"{prefix}-{year}-{value:06d}"
