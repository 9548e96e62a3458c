"""Which plugins a district has on, and their settings there (reads only, cached per process).

Switching a plugin on or off is :mod:`core.services.enablement`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.models import District, DistrictPlugin

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugins.host import PluginHost

__all__ = ("clear_cache", "enabled_keys", "plugin_row", "plugin_settings")

# (district id, plugins_version) -> enabled keys. A change bumps plugins_version in the
# database, so every worker process sees a new key and reloads on its next request.
_cache: dict[tuple[int, int], frozenset[str]] = {}


def clear_cache() -> None:
    """Forget cached enablement (tests that reuse district ids across databases need this)."""
    _cache.clear()


async def enabled_keys(session: AsyncSession, district: District, host: PluginHost) -> frozenset[str]:
    """The keys of the installed plugins enabled in ``district``."""
    cache_key = (district.id, district.plugins_version)
    cached = _cache.get(cache_key)
    if cached is not None:
        return cached
    rows = await session.execute(
        select(DistrictPlugin.plugin_key).where(
            DistrictPlugin.district_id == district.id, DistrictPlugin.enabled.is_(True)
        )
    )
    keys = frozenset(k for (k,) in rows if k in host.installed)
    for stale in [k for k in _cache if k[0] == district.id]:
        del _cache[stale]
    _cache[cache_key] = keys
    return keys


async def plugin_row(session: AsyncSession, district: District, key: str) -> DistrictPlugin | None:
    return (
        await session.execute(
            select(DistrictPlugin).where(DistrictPlugin.district_id == district.id, DistrictPlugin.plugin_key == key)
        )
    ).scalar_one_or_none()


async def plugin_settings(session: AsyncSession, district: District, host: PluginHost, key: str) -> dict[str, Any]:
    """A district's settings for a plugin, with the manifest's defaults filled in."""
    row = await plugin_row(session, district, key)
    settings = host.get(key).manifest.default_settings()
    if row is not None:
        settings.update(row.settings or {})
    return settings
