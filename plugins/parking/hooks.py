"""Every hook the parking plugin implements. The core loads this module and nothing else.

Hooks are plain functions or ``async def``; docs/plugins/hooks.md describes each one.
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
    daily_at,
    hookimpl,
)
from core.plugin_api import gettext as _
from plugins.parking.api import API_ROUTES
from plugins.parking.api_dividend import DIVIDEND_API_ROUTES
from plugins.parking.api_money import MONEY_API_ROUTES
from plugins.parking.api_patrols import PATROL_API_ROUTES
from plugins.parking.api_rota import ROTA_API_ROUTES
from plugins.parking.manifest import KEY, MANIFEST
from plugins.parking.rota import send_reminders
from plugins.parking.routes import ROUTES
from plugins.parking.routes_dividend import DIVIDEND_ROUTES, PUBLIC_EXPORT_ROUTES
from plugins.parking.routes_money import MONEY_ROUTES
from plugins.parking.routes_money_public import PUBLIC_MONEY_ROUTES
from plugins.parking.routes_patrols import PATROL_ROUTES
from plugins.parking.routes_public import PUBLIC_ROUTES
from plugins.parking.routes_rota import ROTA_ROUTES
from plugins.parking.seed import seed_parking
from plugins.parking.seed_dividend import seed_dividend
from plugins.parking.seed_money import seed_money
from plugins.parking.seed_patrols import seed_patrols
from plugins.parking.seed_rota import seed_rota
from plugins.parking.seed_tidal_rent import seed_tidal_rent

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, RequestContext

MANAGERS = ("district_admin", "community_worker")


@hookimpl
def plugin_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def register_routes() -> list[Any]:
    return list(ROUTES) + list(MONEY_ROUTES) + list(PATROL_ROUTES) + list(ROTA_ROUTES) + list(DIVIDEND_ROUTES)


@hookimpl
def register_public_routes() -> list[Any]:
    return list(PUBLIC_ROUTES) + list(PUBLIC_MONEY_ROUTES) + list(PUBLIC_EXPORT_ROUTES)


@hookimpl
def public_pages(ctx: RequestContext) -> list[NavItem]:
    return [NavItem(_("Parking self-governance: conventions in force"), ctx.url("/public/parking"), order=45)]


@hookimpl
def register_api_routes() -> list[Any]:
    return (
        list(API_ROUTES)
        + list(MONEY_API_ROUTES)
        + list(PATROL_API_ROUTES)
        + list(ROTA_API_ROUTES)
        + list(DIVIDEND_API_ROUTES)
    )


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
    await seed_patrols(session, district)
    await seed_rota(session, district)
    await seed_dividend(session, district)
    await seed_tidal_rent(session, district)


@hookimpl
def notification_kinds() -> list[NotificationKind]:
    """The car's household is told of a violation and of the outcome of its dispute; a patroller of tomorrow's shift."""
    return [
        NotificationKind(
            key="parking.violation",
            title_zh="您家的车辆 {plate} 违规停放（{step_zh}）",
            title_en="Your car {plate} was parked in violation ({step_en})",
            body_zh="{time} 在 {place}。如有异议，可在“我的违规记录”中提出，由居委会调解。",
            body_en="{time} at {place}. Dispute it on “My parking violations”: the residents' committee mediates.",
            label_zh="停车违规通知",
            label_en="Parking violations of my cars",
        ),
        NotificationKind(
            key="parking.dispute_decided",
            title_zh="车辆 {plate} 的违规异议已处理：{outcome_zh}",
            title_en="The dispute about {plate} was decided: {outcome_en}",
            label_zh="停车违规异议结果",
            label_en="Outcomes of my parking disputes",
        ),
        NotificationKind(
            key="parking.shift_reminder",
            title_zh="明天 {date} {start}–{end} 您有停车巡查班次",
            title_en="Your parking patrol shift tomorrow, {date} {start}–{end}",
            body_zh="巡查区域：{area}。如不能到岗，请在“我的排班”中退出，让其他巡查员补位。",
            body_en="Area: {area}. If you cannot come, give it up on “My shifts” so another patroller can take it.",
            label_zh="停车巡查排班提醒",
            label_en="Reminders of my parking patrol shifts",
        ),
    ]


@hookimpl
def scheduled_jobs() -> list[JobSpec]:
    """Each afternoon, the patrollers of tomorrow's shifts are reminded (once per shift and patroller)."""
    return [
        JobSpec(
            "parking.shift_reminders",
            "停车巡查排班提醒",
            "Parking patrol shift reminders",
            daily_at("16:00"),
            send_reminders,
        )
    ]
