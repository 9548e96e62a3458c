"""The core's own features, registered through the same hooks plugins use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.hookspecs import hookimpl
from core.i18n import gettext as _
from core.plugins.manifest import Manifest, NavItem, Widget
from core.rbac.roles import CORE_PERMISSIONS, CORE_POLICIES, DEFAULT_ROLES

if TYPE_CHECKING:
    from core.plugins.manifest import PolicyDefault
    from core.web.context import RequestContext


@hookimpl
def plugin_manifest() -> Manifest:
    return Manifest(
        key="core",
        name_zh="核心",
        name_en="Core",
        version="0.1.0",
        permissions=CORE_PERMISSIONS,
        roles=DEFAULT_ROLES,
    )


@hookimpl
def default_policies() -> list[PolicyDefault]:
    return list(CORE_POLICIES)


@hookimpl
def nav_items(ctx: RequestContext) -> list[NavItem]:
    return [
        NavItem(_("Dashboard"), ctx.url("/"), icon="home", order=0, permission=("dashboard", "view")),
        NavItem(_("Cases"), ctx.url("/cases"), icon="inbox", order=10, permission=("dashboard", "view")),
        NavItem(_("New case"), ctx.url("/cases/new"), icon="plus", order=11, permission=("dashboard", "view")),
        NavItem(
            _("Social organizations"),
            ctx.url("/organizations"),
            icon="users",
            order=20,
            permission=("organization", "view_own"),
        ),
        NavItem(
            _("Org units"), ctx.url("/admin/org-units"), order=900, permission=("org_units", "view"), group="admin"
        ),
        NavItem(_("Users"), ctx.url("/admin/users"), order=910, permission=("users", "view"), group="admin"),
        NavItem(_("Roles"), ctx.url("/admin/roles"), order=920, permission=("roles", "manage"), group="admin"),
        NavItem(
            _("Case types"), ctx.url("/admin/case-types"), order=925, permission=("district", "admin"), group="admin"
        ),
        NavItem(_("Queues"), ctx.url("/admin/queues"), order=927, permission=("district", "admin"), group="admin"),
        NavItem(_("Modules"), ctx.url("/admin/modules"), order=930, permission=("plugins", "manage"), group="admin"),
    ]


@hookimpl
def dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    return [Widget(_("My district"), "core/widgets/district.html", {"district": ctx.district}, order=0)]
