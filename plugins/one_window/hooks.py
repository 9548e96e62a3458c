"""Every hook the one_window plugin implements. The core loads this module and nothing else.

Hooks are plain functions or ``async def``; docs/plugins/hooks.md describes each one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.plugin_api import (
    DEFAULT_ROLES,
    JobSpec,
    Manifest,
    NavItem,
    NotificationKind,
    PolicyDefault,
    daily_at,
    hookimpl,
)
from core.plugin_api import gettext as _
from plugins.one_window.api import API_ROUTES
from plugins.one_window.api_backoffice import BACKOFFICE_API_ROUTES
from plugins.one_window.backoffice import send_warnings
from plugins.one_window.manifest import DEPARTMENT_ROLE, KEY, MANIFEST
from plugins.one_window.routes import OPEN_ROUTES, ROUTES
from plugins.one_window.routes_backoffice import BACKOFFICE_OPEN_ROUTES, BACKOFFICE_ROUTES
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
    return [*ROUTES, *INTAKE_ROUTES, *BACKOFFICE_ROUTES]


@hookimpl
def register_public_routes() -> list[Any]:
    return [*BACKOFFICE_OPEN_ROUTES, *OPEN_ROUTES]


@hookimpl
def register_api_routes() -> list[Any]:
    return [*API_ROUTES, *BACKOFFICE_API_ROUTES]


@hookimpl
def public_pages(ctx: RequestContext) -> list[NavItem]:
    return [
        NavItem(_("Service guide"), ctx.url("/public/one_window"), order=30),
        NavItem(_("Progress of my request"), ctx.url("/public/one_window/progress"), order=31),
    ]


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
    window = [PolicyDefault(role, KEY, "intake") for role in WINDOW]
    reports = [PolicyDefault(role, KEY, "reports") for role in STAFF if role in known]
    officer = [PolicyDefault(DEPARTMENT_ROLE, KEY, "department"), PolicyDefault(DEPARTMENT_ROLE, "dashboard", "view")]
    return [*readers, *managers, *window, *reports, *officer]  # the dashboard: an officer's start page


@hookimpl
def nav_items(ctx: RequestContext) -> list[NavItem]:
    if not ctx.can(KEY, "view"):  # a department's officer: their queue
        return [NavItem(_("Department queue"), ctx.url("/one_window/steps"), order=50, permission=(KEY, "department"))]
    return [NavItem(MANIFEST.name(ctx.locale), ctx.url("/one_window"), order=50, permission=(KEY, "view"))]


@hookimpl
def scheduled_jobs() -> list[JobSpec]:
    """Every working morning: warn the departments and the window before a time limit runs out."""
    return [
        JobSpec(
            "one_window.warnings",
            "一窗受理时限预警",
            "One window: time-limit warnings",
            daily_at("08:00"),
            send_warnings,
        )
    ]


@hookimpl
def notification_kinds() -> list[NotificationKind]:
    """A step in a department's queue, a step due soon or overdue, a promise due soon; for the resident, the one-time
    notice of missing documents and the result."""
    department = (DEPARTMENT_ROLE,)
    return [
        NotificationKind(
            "one_window.step_new",
            "新的一窗受理事项 {reference}",
            "New one-window request {reference}",
            "请在 {due} 前办理。",
            "Please answer by {due}.",
            roles=department,
            label_zh="部门收到一窗受理事项",
            label_en="A request sent to my department",
        ),
        NotificationKind(
            "one_window.step_due",
            "{reference} 将于 {due} 到期",
            "{reference} is due on {due}",
            roles=department,
            label_zh="部门办理即将到期",
            label_en="A department step due soon",
        ),
        NotificationKind(
            "one_window.step_overdue",
            "{reference} 已超过办理时限（{due}）",
            "{reference} is overdue (due {due})",
            roles=department,
            label_zh="部门办理已超时",
            label_en="A department step overdue",
        ),
        NotificationKind(
            "one_window.promise_due",
            "{reference} 承诺办结日 {due} 将到",
            "{reference}: the promised day {due} is near",
            roles=WINDOW,
            label_zh="承诺时限即将到期",
            label_en="A promised day near",
        ),
        NotificationKind(
            "one_window.notice",
            "一次性告知：您的申请 {reference} 还需补交材料",
            "One-time notice: your request {reference} needs more documents",
            "请于 {deadline} 前将以下材料送到{place}：{documents}。",
            "Please bring these to {place} by {deadline}: {documents}.",
            label_zh="一窗受理一次性告知",
            label_en="The one-time notice of missing documents",
        ),
        NotificationKind(
            "one_window.result",
            "您的申请 {reference} 已办结：{result}",
            "Your request {reference} is finished: {result}",
            label_zh="一窗受理办理结果",
            label_en="The result of my request",
        ),
    ]


@hookimpl
def case_types() -> list[Path]:
    return sorted(CASE_TYPES.glob("*.yaml"))


@hookimpl
async def seed_demo(session: AsyncSession, district: District) -> None:
    await seed_one_window(session, district)
