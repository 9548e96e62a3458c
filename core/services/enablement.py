"""Switching plugins on and off per district (what is on: :mod:`core.plugins.enabled`).

Enabling never changes the schema (every installed plugin's tables exist); it decides
which plugins take part in a district's hook calls and which routes answer there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.cases.types import sync_shipped_types
from core.models import District, DistrictPlugin
from core.plugins.asyncio import await_me_maybe
from core.plugins.enabled import enabled_keys, plugin_row
from core.plugins.host import CORE_KEY, PluginError
from core.plugins.settings import validate_settings
from core.rbac.enforcer import loads_deferred
from core.services.policies import ensure_plugin_roles_and_policies

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugins.host import PluginHost

__all__ = ("disable_plugin", "enable_plugin")


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
    row = await plugin_row(session, district, key)
    if row is None:
        row = DistrictPlugin(district_id=district.id, plugin_key=key, enabled=True, settings={})
        session.add(row)
    row.enabled = True
    if settings is not None:
        row.settings = validate_settings(plugin.manifest, settings)
    async with loads_deferred(session):  # the roles, then each case type's permissions: loaded once
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
    row = await plugin_row(session, district, key)
    if row is not None and row.enabled:
        row.enabled = False
        district.plugins_version += 1
        await session.flush()
