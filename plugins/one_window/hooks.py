"""Every hook the one_window plugin implements. The core loads this module and nothing else.

Hooks are plain functions or ``async def``; docs/plugins/hooks.md describes each one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.plugin_api import DEFAULT_ROLES, Manifest, NavItem, PolicyDefault, hookimpl
from core.plugin_api import gettext as _
from plugins.one_window.api import API_ROUTES
from plugins.one_window.manifest import KEY, MANIFEST
from plugins.one_window.routes import OPEN_ROUTES, ROUTES
from plugins.one_window.routes_intake import INTAKE_ROUTES
from plugins.one_window.seed import seed_one_window
from plugins.one_window.service import form_label

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, RequestContext

CASE_TYPES = Path(__file__).parent / "case_types"
STAFF = ("district_admin", "community_worker", "social_worker")
MANAGERS = ("district_admin", "community_worker")
WINDOW = ("district_admin", "community_worker")


@hookimpl
def plugin_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def register_routes() -> list[Any]:
    return [*ROUTES, *INTAKE_ROUTES]


@hookimpl
def register_public_routes() -> list[Any]:
    return list(OPEN_ROUTES)


@hookimpl
def register_api_routes() -> list[Any]:
    return list(API_ROUTES)


@hookimpl
def public_pages(ctx: RequestContext) -> list[NavItem]:
    return [NavItem(_("Service guide"), ctx.url("/public/one_window"), order=30)]


@hookimpl
def template_globals() -> dict[str, Any]:
    """``{{ one_window.form_label(doc.form) }}``: 原件 / 复印件 / 原件及复印件 in the user's language."""
    return {"form_label": form_label}


@hookimpl
def default_policies() -> list[PolicyDefault]:
    """Staff read the catalogue and the intakes; district admins and community workers keep it and staff the window."""
    known = {role.key for role in DEFAULT_ROLES}
    readers = [PolicyDefault(role, KEY, "view") for role in STAFF if role in known]
    managers = [PolicyDefault(role, KEY, "manage") for role in MANAGERS]
    return readers + managers + [PolicyDefault(role, KEY, "intake") for role in WINDOW]


@hookimpl
def nav_items(ctx: RequestContext) -> list[NavItem]:
    return [NavItem(MANIFEST.name(ctx.locale), ctx.url("/one_window"), order=50, permission=(KEY, "view"))]


@hookimpl
def case_types() -> list[Path]:
    return sorted(CASE_TYPES.glob("*.yaml"))


@hookimpl
async def seed_demo(session: AsyncSession, district: District) -> None:
    await seed_one_window(session, district)
