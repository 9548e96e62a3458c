"""Every hook the notices plugin implements. The core loads this module and nothing else.

Hooks are plain functions or ``async def``; see docs/plugins/hooks.md for each one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugin_api import DEFAULT_ROLES, Manifest, NavItem, PolicyDefault, Widget, hookimpl, plugin_settings
from core.plugin_api import gettext as _
from plugins.notices import cli as cli_module
from plugins.notices.api import API_ROUTES
from plugins.notices.manifest import KEY, MANIFEST
from plugins.notices.routes import OPEN_ROUTES, ROUTES
from plugins.notices.seed import seed_notices
from plugins.notices.service import list_notices

if TYPE_CHECKING:
    import click
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, RequestContext

MANAGERS = ("district_admin", "community_worker")
DASHBOARD_LIMIT = 5


@hookimpl
def plugin_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def register_routes() -> list[Any]:
    return list(ROUTES)


@hookimpl
def register_public_routes() -> list[Any]:
    return list(OPEN_ROUTES)


@hookimpl
def public_pages(ctx: RequestContext) -> list[NavItem]:
    return [NavItem(_("Public notices"), ctx.url("/public/notices"), order=20)]


@hookimpl
def register_api_routes() -> list[Any]:
    return list(API_ROUTES)


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli_module.register(cli)


@hookimpl
def default_policies() -> list[PolicyDefault]:
    readers = [PolicyDefault(role.key, "notices", "view") for role in DEFAULT_ROLES]
    return readers + [PolicyDefault(role, "notices", "manage") for role in MANAGERS]


@hookimpl
def nav_items(ctx: RequestContext) -> list[NavItem]:
    label = _("Community notices")
    return [NavItem(label, ctx.url("/notices"), icon="megaphone", order=20, permission=("notices", "view"))]


@hookimpl
async def dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    if ctx.district is None or not ctx.can("notices", "view"):
        return []
    settings = await plugin_settings(ctx.session, ctx.district, ctx.host, KEY)
    if not settings.get("show_on_dashboard", True):
        return []
    notices = await list_notices(ctx.session, limit=DASHBOARD_LIMIT)
    return [Widget(_("Community notices"), "notices/widget.html", {"notices": notices}, order=20)]


@hookimpl
async def seed_demo(session: AsyncSession, district: District) -> None:
    await seed_notices(session, district)
