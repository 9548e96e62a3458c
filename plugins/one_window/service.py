"""Checking input and reading and writing the plugin's items.

The pages, the demo seed and the tests all go through here, so an item is validated in
one place. Queries take a district-bound session (``ctx.session``): the core adds the
district filter, nothing here filters by district by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import gettext as _
from core.plugin_api import plugin_settings

from plugins.one_window.manifest import KEY
from plugins.one_window.models import Item

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, PluginHost

__all__ = ("NOTE_MAX", "TITLE_MAX", "add_item", "intro", "list_items", "validate")

TITLE_MAX = 200
NOTE_MAX = 2000


def validate(raw: Mapping[str, Any]) -> tuple[dict[str, str] | None, dict[str, str]]:
    """Check ``raw`` (form strings); return the clean values, or the errors by field."""
    errors: dict[str, str] = {}
    title = str(raw.get("title") or "").strip()
    note = str(raw.get("note") or "").strip()
    if not title:
        errors["title"] = _("Enter a title.")
    elif len(title) > TITLE_MAX:
        errors["title"] = _("At most %(limit)s characters (now %(length)s).", limit=TITLE_MAX, length=len(title))
    if len(note) > NOTE_MAX:
        errors["note"] = _("At most %(limit)s characters (now %(length)s).", limit=NOTE_MAX, length=len(note))
    if errors:
        return None, errors
    return {"title": title, "note": note}, {}


async def list_items(session: AsyncSession) -> list[Item]:
    """The session's district's items, newest first."""
    query = select(Item).order_by(Item.created_at.desc(), Item.id.desc())
    return list((await session.execute(query)).scalars())


async def add_item(
    session: AsyncSession, district: District, values: dict[str, str], *, created_by: int | None
) -> Item:
    """Add a validated item to ``district``."""
    item = Item(district_id=district.id, title=values["title"], note=values["note"], created_by=created_by)
    session.add(item)
    await session.flush()
    return item


async def intro(session: AsyncSession, district: District, host: PluginHost) -> str:
    """The district's ``intro`` setting (empty unless a district admin set one)."""
    return str((await plugin_settings(session, district, host, KEY))["intro"])
