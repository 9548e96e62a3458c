"""Demo data for ``sanshe demo`` (the demo district 海曙区, ``haishu``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from plugins.one_window.models import Item

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("DEMO_ITEMS", "seed_items")

DEMO_ITEMS = (
    ("一窗受理示例一", "演示数据，可删除。"),
    ("一窗受理示例二", "演示数据，可删除。"),
)


async def seed_items(session: AsyncSession, district: District) -> int:
    """Add the demo items ``district`` lacks (matched by title); return how many were added.

    ``sanshe demo`` runs again on an existing database, so this must be idempotent.
    The session is bound to ``district``: the query sees only its items.
    """
    existing = set((await session.execute(select(Item.title))).scalars())
    added = 0
    for title, note in DEMO_ITEMS:
        if title not in existing:
            session.add(Item(district_id=district.id, title=title, note=note))
            added += 1
    await session.flush()
    return added
