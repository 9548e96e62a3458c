"""Every hook the parking plugin implements. The core loads this module and nothing else.

Hooks are plain functions or ``async def``; docs/plugins/hooks.md describes each one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugin_api import DEFAULT_ROLES, Manifest, NavItem, PolicyDefault, hookimpl
from core.plugin_api import gettext as _
from plugins.parking.api import API_ROUTES
from plugins.parking.api_money import MONEY_API_ROUTES
from plugins.parking.manifest import KEY, MANIFEST
from plugins.parking.routes import ROUTES
from plugins.parking.routes_money import MONEY_ROUTES
from plugins.parking.routes_money_public import PUBLIC_MONEY_ROUTES
from plugins.parking.routes_public import PUBLIC_ROUTES
from plugins.parking.seed import seed_parking
from plugins.parking.seed_money import seed_money

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, RequestContext

MANAGERS = ("district_admin", "community_worker")


@hookimpl
def plugin_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def register_routes() -> list[Any]:
    return list(ROUTES) + list(MONEY_ROUTES)


@hookimpl
def register_public_routes() -> list[Any]:
    return list(PUBLIC_ROUTES) + list(PUBLIC_MONEY_ROUTES)


@hookimpl
def public_pages(ctx: RequestContext) -> list[NavItem]:
    return [NavItem(_("Parking self-governance: conventions in force"), ctx.url("/public/parking"), order=45)]


@hookimpl
def register_api_routes() -> list[Any]:
    return list(API_ROUTES) + list(MONEY_API_ROUTES)


@hookimpl
def default_policies() -> list[PolicyDefault]:
    """Everyone may look (and apply for their own household); district admins and community workers run it."""
    readers = [PolicyDefault(role.key, KEY, "view") for role in DEFAULT_ROLES]
    return readers + [PolicyDefault(role, KEY, "manage") for role in MANAGERS]


@hookimpl
def nav_items(ctx: RequestContext) -> list[NavItem]:
    return [NavItem(_("Parking"), ctx.url("/parking"), icon="car", order=50, permission=(KEY, "view"))]


@hookimpl
async def seed_demo(session: AsyncSession, district: District) -> None:
    await seed_parking(session, district)
    await seed_money(session, district)
