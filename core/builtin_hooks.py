"""The core's own features, registered through the same hooks plugins use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.hookspecs import hookimpl
from core.i18n import gettext as _
from core.plugins.manifest import Manifest, NavItem, Widget
from core.rbac.roles import CORE_PERMISSIONS, CORE_POLICIES, DEFAULT_ROLES

if TYPE_CHECKING:
    from core.context import RequestContext
    from core.plugins.manifest import PolicyDefault
    from core.scheduler.spec import JobSpec


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
    from core.web.my_requests import is_served_only  # noqa: PLC0415 - the web layer imports these hooks

    return [
        NavItem(_("Dashboard"), ctx.url("/"), icon="home", order=0, permission=("dashboard", "view")),
        NavItem(_("My requests"), ctx.url("/my-requests"), icon="inbox", order=10, permission=("dashboard", "view"))
        if is_served_only(ctx)
        else NavItem(_("Cases"), ctx.url("/cases"), icon="inbox", order=10, permission=("dashboard", "view")),
        *(
            []
            if getattr(ctx, "pending", False)  # not confirmed yet: filing is refused, so it is not offered
            else [
                NavItem(_("New case"), ctx.url("/cases/new"), icon="plus", order=11, permission=("dashboard", "view"))
            ]
        ),
        *(
            []
            if is_served_only(ctx)
            else [NavItem(_("My tasks"), ctx.url("/my-tasks"), order=12, permission=("dashboard", "view"))]
        ),
        NavItem(_("Residents"), ctx.url("/residents"), icon="users", order=15, permission=("resident", "view")),
        NavItem(
            _("Registrations to confirm"),
            ctx.url("/registrations"),
            order=16,
            permission=("registrations", "confirm"),
        ),
        NavItem(
            _("Social organizations"),
            ctx.url("/organizations"),
            icon="users",
            order=20,
            permission=("organization", "view_own"),
        ),
        NavItem(
            _("Casework per service line"),
            ctx.url("/casework/report"),
            order=40,
            permission=("casework", "report"),
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
        NavItem(_("Read log"), ctx.url("/case-reads"), order=928, permission=("district", "admin"), group="admin"),
        NavItem(_("Modules"), ctx.url("/admin/modules"), order=930, permission=("plugins", "manage"), group="admin"),
        NavItem(
            _("Working days"), ctx.url("/admin/calendar"), order=935, permission=("district", "admin"), group="admin"
        ),
        NavItem(
            _("Scheduled jobs"), ctx.url("/admin/jobs"), order=936, permission=("district", "admin"), group="admin"
        ),
        NavItem(
            _("Access log"), ctx.url("/admin/access-log"), order=940, permission=("district", "admin"), group="admin"
        ),
    ]


@hookimpl
async def dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    from sqlalchemy import select  # noqa: PLC0415 - only this hook reads roles

    from core.models import Role  # noqa: PLC0415
    from core.web.my_requests import is_served_only  # noqa: PLC0415 - the web layer imports these hooks
    from core.web.work_widget import work_widget  # noqa: PLC0415

    roles = (await ctx.session.execute(select(Role).where(Role.key.in_(ctx.roles)))).scalars() if ctx.roles else ()
    names = sorted(role.name(ctx.locale) for role in roles)
    context = {"district": ctx.district, "roles": names}
    district = Widget(_("My district"), "core/widgets/district.html", context, order=0)
    widgets = [district]
    if ctx.roles and not is_served_only(ctx):
        widgets.append(await work_widget(ctx))
    return widgets


@hookimpl
def scheduled_jobs() -> list[JobSpec]:
    from core.builtin_jobs import CORE_JOBS  # noqa: PLC0415 - loaded when the scheduler asks, not at import

    return list(CORE_JOBS)
