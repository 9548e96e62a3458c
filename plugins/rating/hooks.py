"""Every hook the star rating plugin implements. The core loads this module and nothing else.

Hooks are plain functions or ``async def``; docs/plugins/hooks.md describes each one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.plugin_api import (
    JobSpec,
    Manifest,
    NavItem,
    NotificationKind,
    Panel,
    PolicyDefault,
    deliveries,
    hookimpl,
    notify,
    organizations,
)
from core.plugin_api import gettext as _
from plugins.rating import cli as cli_module
from plugins.rating import service
from plugins.rating.api import API_ROUTES
from plugins.rating.manifest import KEY, MANIFEST
from plugins.rating.routes import ROUTES
from plugins.rating.seed import seed_rating

if TYPE_CHECKING:
    import click
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, RequestContext

MANAGERS = ("district_admin", "community_worker", "social_worker")
VIEWERS = (*MANAGERS, "expert")  # organizations see their own pages only (rating:respond)


@hookimpl
def plugin_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def register_routes() -> list[Any]:
    return list(ROUTES)


@hookimpl
def register_api_routes() -> list[Any]:
    return list(API_ROUTES)


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli_module.register(cli)


@hookimpl
def scheduled_jobs() -> list[JobSpec]:
    """The quarter's evaluation at its end (probation, removal, honours), daily until done."""
    from plugins.rating.jobs import JOBS  # noqa: PLC0415

    return list(JOBS)


@hookimpl
def default_policies() -> list[PolicyDefault]:
    """Staff manage; organizations respond to their ratings; residents rate what they received."""
    rules = [PolicyDefault(role, KEY, "view") for role in VIEWERS]
    rules += [PolicyDefault(role, KEY, "manage") for role in MANAGERS]
    rules += [PolicyDefault(role, KEY, "respond") for role in ("org_staff", "volunteer", *MANAGERS)]
    rules += [PolicyDefault(role, KEY, "rate") for role in ("resident", "volunteer", "org_staff")]
    rules.append(PolicyDefault("district_admin", KEY, "indicators"))  # the grade evaluation's indicator tree
    return rules


@hookimpl
def public_pages(ctx: RequestContext) -> list[NavItem]:
    return [
        NavItem(_("Star rating: public ranking"), ctx.url("/rating/ranking"), order=40),
        NavItem(_("Grades in publicity"), ctx.url("/rating/grade-publicity"), order=41),
    ]


@hookimpl
def nav_items(ctx: RequestContext) -> list[NavItem]:
    items = [NavItem(_("Star rating"), ctx.url("/rating"), order=55, permission=(KEY, "view"))]
    if not ctx.can(KEY, "view"):
        items.append(NavItem(_("Rate my services"), ctx.url("/rating/mine"), order=55, permission=(KEY, "rate")))
    grade_permission = (KEY, "view") if ctx.can(KEY, "view") else (KEY, "respond")
    items.append(
        NavItem(_("Grade evaluations"), ctx.url("/rating/grade-evaluations"), order=56, permission=grade_permission)
    )
    return items


@hookimpl
def notification_kinds() -> list[NotificationKind]:
    from plugins.rating.grade_notices import KINDS as GRADE_KINDS  # noqa: PLC0415

    return [
        *GRADE_KINDS,
        NotificationKind(
            key="rating.invite",
            title_zh="请为「{title}」评价",
            title_en="Please rate “{title}”",
            body_zh="{organization} 为您提供了服务，欢迎在 {days} 天内评价。",
            body_en="{organization} served you; you may rate it within {days} days.",
            label_zh="服务评价邀请",
            label_en="Invitations to rate a service",
        ),
        NotificationKind(
            key="rating.follow_up",
            title_zh="{organization} 收到 {stars} 星差评，请在 {due} 前回访",
            title_en="{organization} got a {stars}-star rating: follow it up by {due}",
            label_zh="差评回访",
            label_en="Bad ratings to follow up",
        ),
        NotificationKind(
            key="rating.probation",
            title_zh="{organization} 因连续两期评价末位被列入观察期",
            title_en="{organization} is on probation: bottom two periods running",
            body_zh="{period} 期评定；如有异议请在 {effective} 前申诉。",
            body_en="Decided for {period}; appeal before {effective}.",
            label_zh="星级评价观察期",
            label_en="Star rating probation",
        ),
        NotificationKind(
            key="rating.removed",
            title_zh="{organization} 将被移出服务名录",
            title_en="{organization} is to be removed from the service roster",
            body_zh="{period} 期观察期内再次末位；如有异议请在 {effective} 前申诉。",
            body_en="Bottom again while on probation ({period}); appeal before {effective}.",
            label_zh="移出服务名录",
            label_en="Removal from the roster",
        ),
        NotificationKind(
            key="rating.honoured",
            title_zh="{organization} 获评 {period} 期星级评价优秀",
            title_en="{organization} is honoured for {period}",
            label_zh="星级评价表彰",
            label_en="Star rating honours",
        ),
    ]


@hookimpl
async def service_delivered(ctx: RequestContext, delivery: deliveries.ServiceDelivery) -> None:
    """A verified delivery to a resident with a login: invite them to rate it (the link carries the token)."""
    if not delivery.is_rateable or ctx.district is None:
        return
    resident = (await deliveries.residents_of(ctx.session, [delivery]))[delivery.id]
    if resident.user_id is None:
        return
    settings = await service.settings_of(ctx)
    org = await organizations.get_organization(ctx.session, ctx.district, delivery.organization_id)
    await notify(
        ctx.session,
        [resident.user_id],
        "rating.invite",
        {"title": delivery.title or org.name, "organization": org.name, "days": settings["window_days"]},
        ctx.url(f"/rating/r/{service.token_for(ctx, delivery.id)}"),
        dedupe_key=f"rating.invite:{delivery.id}",
    )


@hookimpl
async def organization_standing(ctx: RequestContext, organization: Any) -> list[organizations.Standing]:
    step = await service.standing_for(ctx, organization.id)
    if step is None:
        return []
    if step.status == "removed":
        return [
            organizations.Standing(
                "removed",
                "星级评价观察期内再次末位，移出服务名录",
                "Removed from the roster: bottom again on probation",
                KEY,
                since=step.effective_on,
            )
        ]
    return [
        organizations.Standing(
            "probation",
            "连续两期星级评价末位，观察期",
            "On probation: bottom two periods running",
            KEY,
            since=step.effective_on,
        )
    ]


@hookimpl
async def organization_panels(ctx: RequestContext, organization: Any) -> list[Panel]:
    if not ctx.can(KEY, "view"):
        # Whoever sees the profile sees its current grade (等级评估); the ratings are the staff's.
        current = (await service.current_grades(ctx.session)).get(organization.id)
        if current is None:
            return []
        return [Panel(_("Grade evaluation"), "rating/org_grade_panel.html", {"grade": current}, order=30)]
    period = service.Period.of(service.local_today())
    rows = {r.organization_id: r for r in await service.ranking_for(ctx, period)}
    return [
        Panel(
            _("Star rating"),
            "rating/org_panel.html",
            {
                "row": rows.get(organization.id),
                "period": period,
                "org_id": organization.id,
                "grade": (await service.current_grades(ctx.session)).get(organization.id),
            },
            order=30,
        )
    ]


@hookimpl
async def seed_demo(session: AsyncSession, district: District) -> None:
    await seed_rating(session, district)
