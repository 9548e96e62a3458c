"""Every hook the one_window plugin implements. The core loads this module and nothing else.

Hooks are plain functions or ``async def``; docs/plugins/hooks.md describes each one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.plugin_api import DEFAULT_ROLES, Manifest, NavItem, PolicyDefault, hookimpl

from plugins.one_window.manifest import KEY, MANIFEST
from plugins.one_window.routes import ROUTES
from plugins.one_window.seed import seed_items

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, RequestContext

CASE_TYPES = Path(__file__).parent / "case_types"
MANAGERS = ("district_admin", "community_worker")


@hookimpl
def plugin_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def register_routes() -> list[Any]:
    return list(ROUTES)


@hookimpl
def default_policies() -> list[PolicyDefault]:
    """Everyone may look; district admins and community workers may add and change."""
    readers = [PolicyDefault(role.key, KEY, "view") for role in DEFAULT_ROLES]
    return readers + [PolicyDefault(role, KEY, "manage") for role in MANAGERS]


@hookimpl
def nav_items(ctx: RequestContext) -> list[NavItem]:
    return [NavItem(MANIFEST.name(ctx.locale), ctx.url("/one_window"), order=50, permission=(KEY, "view"))]


@hookimpl
def case_types() -> list[Path]:
    return sorted(CASE_TYPES.glob("*.yaml"))


@hookimpl
async def seed_demo(session: AsyncSession, district: District) -> None:
    await seed_items(session, district)
