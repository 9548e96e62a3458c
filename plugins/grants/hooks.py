"""Every hook the venture philanthropy plugin implements. The core loads this module and nothing else.

Hooks are plain functions or ``async def``; see docs/plugins/hooks.md for each one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugin_api import (
    DEFAULT_ROLES,
    JobSpec,
    Manifest,
    NavItem,
    NotificationKind,
    PolicyDefault,
    Widget,
    daily_at,
    format_amount,
    hookimpl,
    is_english,
)
from core.plugin_api import gettext as _
from plugins.grants.api import API_ROUTES
from plugins.grants.api_extra import EXTRA_API_ROUTES
from plugins.grants.api_reports import REPORT_API_ROUTES
from plugins.grants.evaluation import NOTIFICATION_KINDS, send_follow_up_reminders
from plugins.grants.manifest import MANIFEST
from plugins.grants.reports import send_report_reminders
from plugins.grants.review_reminders import send_review_reminders
from plugins.grants.routes import ROUTES
from plugins.grants.routes_extra import EXTRA_ROUTES
from plugins.grants.routes_public import PUBLIC_ROUTES
from plugins.grants.routes_reports import REPORT_ROUTES
from plugins.grants.seed import seed_grants
from plugins.grants.seed_evaluation import seed_evaluation
from plugins.grants.service import dashboard_figures

if TYPE_CHECKING:
    import click
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, RequestContext

APPLICANTS = ("org_staff", "social_worker", "volunteer")
REVIEWERS = ("expert",)
MANAGERS = ("district_admin",)


@hookimpl
def plugin_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def register_routes() -> list[Any]:
    return list(ROUTES) + REPORT_ROUTES + EXTRA_ROUTES


@hookimpl
def register_public_routes() -> list[Any]:
    return list(PUBLIC_ROUTES)


@hookimpl
def public_pages(ctx: RequestContext) -> list[NavItem]:
    return [NavItem(_("Venture philanthropy: calls and funded projects"), ctx.url("/public/grants"), order=30)]


@hookimpl
def register_api_routes() -> list[Any]:
    return list(API_ROUTES) + REPORT_API_ROUTES + EXTRA_API_ROUTES


@hookimpl
def default_policies() -> list[PolicyDefault]:
    return (
        [PolicyDefault(role.key, "grants", "view") for role in DEFAULT_ROLES]
        + [PolicyDefault(role, "grants", "apply") for role in APPLICANTS]
        + [PolicyDefault(role, "grants", "review") for role in REVIEWERS]
        + [PolicyDefault(role, "grants", "manage") for role in MANAGERS]
    )


@hookimpl
def nav_items(ctx: RequestContext) -> list[NavItem]:
    items = [
        NavItem(_("Venture philanthropy"), ctx.url("/grants"), icon="coins", order=40, permission=("grants", "view"))
    ]
    if ctx.can("grants", "review"):
        items.append(
            NavItem(
                _("My reviews"), ctx.url("/grants/reviews"), icon="check", order=41, permission=("grants", "review")
            )
        )
    return items


@hookimpl
def template_globals() -> dict[str, Any]:
    return {"money": lambda fen: format_amount(int(fen or 0), "fen", "en" if is_english() else "zh")}


@hookimpl
def notification_kinds() -> list[NotificationKind]:
    return [
        NotificationKind(
            "grants.passed",
            "申报“{title}”已通过形式审查",
            "“{title}” passed screening",
            "项目进入专家评审。",
            "The project goes on to expert review.",
            label_zh="公益创投：形式审查通过",
            label_en="Venture philanthropy: screening passed",
        ),
        NotificationKind(
            "grants.more_info",
            "申报“{title}”需要补充材料",
            "“{title}”: more information requested",
            "{message}",
            "{message}",
            label_zh="公益创投：需要补充材料",
            label_en="Venture philanthropy: more information requested",
        ),
        NotificationKind(
            "grants.dismissed",
            "申报“{title}”未通过形式审查",
            "“{title}” was dismissed",
            "理由：{message}",
            "Reason: {message}",
            label_zh="公益创投：不予受理",
            label_en="Venture philanthropy: application dismissed",
        ),
        NotificationKind(
            "grants.report_due",
            "“{title}”的{report}将于 {due} 到期",
            "“{title}”: report due on {due}",
            "请按时提交{report}。",
            "Please submit the report on time.",
            label_zh="公益创投：报告即将到期",
            label_en="Venture philanthropy: report due",
        ),
        NotificationKind(
            "grants.report_overdue",
            "“{title}”的{report}已逾期（应于 {due} 提交）",
            "“{title}”: report overdue since {due}",
            "请尽快提交{report}。",
            "Please submit the report as soon as possible.",
            label_zh="公益创投：报告逾期",
            label_en="Venture philanthropy: report overdue",
        ),
        NotificationKind(
            "grants.approved",
            "“{title}”获得资助 {amount} 元",
            "“{title}” is funded: {amount} yuan",
            "{message}",
            "{message}",
            label_zh="公益创投：立项结果（获资助）",
            label_en="Venture philanthropy: funded",
        ),
        NotificationKind(
            "grants.rejected",
            "“{title}”未获资助",
            "“{title}” was not funded",
            "{message}",
            "{message}",
            label_zh="公益创投：立项结果（未获资助）",
            label_en="Venture philanthropy: not funded",
        ),
        NotificationKind(
            "grants.review_due",
            "“{call}”还有 {count} 份评审待提交，{due} 截止",
            "“{call}”: {count} reviews to submit by {due}",
            "请在截止日前提交评审。",
            "Please submit your reviews before the deadline.",
            label_zh="公益创投：评审即将截止",
            label_en="Venture philanthropy: reviews due",
        ),
        NotificationKind(
            "grants.review_overdue",
            "“{call}”还有 {count} 份评审未提交（应于 {due} 前提交）",
            "“{call}”: {count} reviews overdue since {due}",
            "请尽快提交评审。",
            "Please submit your reviews as soon as possible.",
            label_zh="公益创投：评审逾期",
            label_en="Venture philanthropy: reviews overdue",
        ),
        *NOTIFICATION_KINDS,
    ]


@hookimpl
async def dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    if ctx.district is None or not ctx.can("grants", "manage"):
        return []
    return [Widget(_("Venture philanthropy"), "grants/widget.html", await dashboard_figures(ctx.session), order=40)]


@hookimpl
def scheduled_jobs() -> list[JobSpec]:
    return [
        JobSpec(
            "grants.report_reminders",
            "公益创投报告提醒",
            "Venture philanthropy report reminders",
            daily_at("08:30"),
            send_report_reminders,
        ),
        JobSpec(
            "grants.review_reminders",
            "公益创投评审提醒",
            "Venture philanthropy review reminders",
            daily_at("08:30"),
            send_review_reminders,
        ),
        JobSpec(
            "grants.follow_up_reminders",
            "公益创投项目回访提醒",
            "Grant follow-up reminders",
            daily_at("08:40"),
            send_follow_up_reminders,
        ),
    ]


@hookimpl
def register_commands(cli: click.Group) -> None:
    from plugins.grants import cli as cli_module  # noqa: PLC0415

    cli_module.register(cli)


@hookimpl
async def seed_demo(session: AsyncSession, district: District) -> None:
    await seed_grants(session, district)
    await seed_evaluation(session, district)
