"""Switching plugins on and off per district, and knowing which are on.

Enabling never changes the schema (every installed plugin's tables exist); it decides
which plugins take part in a district's hook calls and which routes answer there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.models import District, DistrictPlugin
from core.plugins.asyncio import await_me_maybe
from core.plugins.host import CORE_KEY, PluginError
from core.plugins.settings import validate_settings

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugins.host import PluginHost

__all__ = ("clear_cache", "disable_plugin", "enable_plugin", "enabled_keys", "plugin_settings")

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


async def _row(session: AsyncSession, district: District, key: str) -> DistrictPlugin | None:
    return (
        await session.execute(
            select(DistrictPlugin).where(DistrictPlugin.district_id == district.id, DistrictPlugin.plugin_key == key)
        )
    ).scalar_one_or_none()


async def plugin_settings(session: AsyncSession, district: District, host: PluginHost, key: str) -> dict[str, Any]:
    """A district's settings for a plugin, with the manifest's defaults filled in."""
    row = await _row(session, district, key)
    settings = host.get(key).manifest.default_settings()
    if row is not None:
        settings.update(row.settings or {})
    return settings


async def enable_plugin(
    session: AsyncSession,
    district: District,
    host: PluginHost,
    key: str,
    settings: dict[str, Any] | None = None,
) -> DistrictPlugin:
    """Enable ``key`` for ``district`` (refused when a dependency is not enabled there).

    Adds the plugin's roles and default policies to the district and calls its
    ``on_plugin_enabled`` hook, all in the caller's transaction.
    """
    from core.cases.types import sync_shipped_types  # noqa: PLC0415 - cases import plugins
    from core.rbac.seed import ensure_plugin_roles_and_policies  # noqa: PLC0415 - rbac imports plugins

    if key == CORE_KEY:
        msg = "核心不能被启用或停用 / the core is always on"
        raise PluginError(msg)
    plugin = host.get(key)
    enabled = await enabled_keys(session, district, host)
    missing = [dep for dep in plugin.manifest.depends_on if dep not in enabled]
    if missing:
        names = "、".join(host.get(d).manifest.name_zh for d in missing)
        msg = (
            f"请先启用 {plugin.manifest.name_zh} 所依赖的模块：{names} / "
            f"enable {', '.join(missing)} first: {key} depends on it"
        )
        raise PluginError(msg)
    row = await _row(session, district, key)
    if row is None:
        row = DistrictPlugin(district_id=district.id, plugin_key=key, enabled=True, settings={})
        session.add(row)
    row.enabled = True
    if settings is not None:
        row.settings = validate_settings(plugin.manifest, settings)
    await ensure_plugin_roles_and_policies(session, district, host, key)
    await sync_shipped_types(session, district, host, [key])
    district.plugins_version += 1
    await session.flush()
    await await_me_maybe(host.call_for(key, "on_plugin_enabled", session=session, district=district))
    return row


async def disable_plugin(session: AsyncSession, district: District, host: PluginHost, key: str) -> None:
    """Disable ``key`` for ``district`` (refused while an enabled plugin depends on it)."""
    if key == CORE_KEY:
        msg = "核心不能被启用或停用 / the core is always on"
        raise PluginError(msg)
    plugin = host.get(key)
    enabled = await enabled_keys(session, district, host)
    dependants = [p.key for p in host.plugins if p.key in enabled and key in p.manifest.depends_on]
    if dependants:
        names = "、".join(host.get(d).manifest.name_zh for d in dependants)
        msg = (
            f"{plugin.manifest.name_zh} 仍被已启用的模块使用：{names}，请先停用它们 / "
            f"{key} is needed by enabled plugins: {', '.join(dependants)}"
        )
        raise PluginError(msg)
    row = await _row(session, district, key)
    if row is not None and row.enabled:
        row.enabled = False
        district.plugins_version += 1
        await session.flush()
