"""Every hook the consultation council plugin implements. The core loads this module and nothing else.

Hooks are plain functions or ``async def``; see docs/plugins/hooks.md for each one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import (
    Case,
    Manifest,
    NavItem,
    NotificationKind,
    Panel,
    PolicyDefault,
    Widget,
    hookimpl,
    plugin_settings,
)
from core.plugin_api import gettext as _
from plugins.consultation_council import cli as cli_module
from plugins.consultation_council import meetings, notify, topics, workflow
from plugins.consultation_council.api import API_ROUTES
from plugins.consultation_council.manifest import CASE_TYPE, KEY, MANIFEST
from plugins.consultation_council.models import Council, Resolution, Topic
from plugins.consultation_council.routes import ROUTES
from plugins.consultation_council.routes_open import OPEN_ROUTES
from plugins.consultation_council.seed import seed_council
from plugins.consultation_council.web import TEMPLATE_HELPERS

if TYPE_CHECKING:
    import click
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import CaseTypeDef, District, RequestContext, Transition

EVERYONE = (
    "district_admin",
    "community_worker",
    "social_worker",
    "org_staff",
    "volunteer",
    "resident",
    "expert",
    "council_member",
    "parking_committee",
    "council_secretary",
)
PARTICIPANTS = (
    "resident",
    "volunteer",
    "council_member",
    "parking_committee",
    "council_secretary",
    "org_staff",
    "community_worker",
    "social_worker",
    "district_admin",
)
MANAGERS = ("district_admin", "community_worker", "council_secretary")
VOTERS = ("council_member", "council_secretary")


@hookimpl
def plugin_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def case_types() -> list[Path]:
    return [Path(__file__).parent / "case_types" / f"{CASE_TYPE}.yaml"]


@hookimpl
def template_globals() -> dict[str, Any]:
    return TEMPLATE_HELPERS


@hookimpl
def register_routes() -> list[Any]:
    return list(ROUTES)


@hookimpl
def register_api_routes() -> list[Any]:
    return list(API_ROUTES)


@hookimpl
def register_public_routes() -> list[Any]:
    return list(OPEN_ROUTES)


@hookimpl
def public_pages(ctx: RequestContext) -> list[NavItem]:
    return [NavItem(_("Council resolutions and meeting calendar"), ctx.url("/public/council"), order=25)]


@hookimpl
def register_commands(cli: click.Group) -> None:
    cli_module.register(cli)


@hookimpl
def nav_items(ctx: RequestContext) -> list[NavItem]:
    return [
        NavItem(_("Consultation council"), ctx.url("/council"), icon="users", order=25, permission=(KEY, "view")),
        NavItem(_("Council staff"), ctx.url("/council/admin"), order=26, permission=(KEY, "manage")),
    ]


@hookimpl
async def dashboard_widgets(ctx: RequestContext) -> list[Widget]:
    if ctx.district is None or ctx.user is None or not ctx.can(KEY, "view"):
        return []
    settings = await plugin_settings(ctx.session, ctx.district, ctx.host, KEY)
    if not settings.get("show_on_dashboard", True):
        return []
    context = {
        "topics": await topics.list_topics(ctx, states=topics.SUPPORTABLE, limit=3),
        "meetings": (await meetings.upcoming(ctx))[:2],
        "unread": await notify.unread_count(ctx.session, ctx.user.id),
    }
    return [Widget(_("Consultation council"), "consultation_council/widget.html", context, order=25)]


@hookimpl
async def seed_demo(session: AsyncSession, district: District) -> None:
    await seed_council(session, district)


@hookimpl
def default_policies() -> list[PolicyDefault]:
    return [
        *(PolicyDefault(role, KEY, "view") for role in EVERYONE),
        *(PolicyDefault(role, KEY, "participate") for role in PARTICIPANTS),
        *(PolicyDefault(role, KEY, "vote") for role in VOTERS),
        *(PolicyDefault(role, KEY, "manage") for role in MANAGERS),
    ]


@hookimpl
async def on_case_created(ctx: RequestContext, case: Case, case_type: CaseTypeDef) -> None:
    if case.case_type_key == CASE_TYPE:
        await topics.on_created(ctx, case)


@hookimpl
async def before_transition(
    ctx: RequestContext, case: Case, case_type: CaseTypeDef, transition: Transition, data: dict[str, Any]
) -> str | None:
    if case.case_type_key != CASE_TYPE:
        return None
    return await workflow.refusal(ctx, case, transition)


@hookimpl
async def after_transition(ctx: RequestContext, case: Case, case_type: CaseTypeDef, transition: Transition) -> None:
    if case.case_type_key == CASE_TYPE:
        await workflow.after_step(ctx, case, transition)


@hookimpl
async def case_panels(ctx: RequestContext, case: Case, case_type: CaseTypeDef) -> list[Panel]:
    """On a topic: its council, supports, links; on a resident request escalated from a topic: the topic."""
    if case.case_type_key == CASE_TYPE:
        topic = await topics.topic_by_case(ctx, case.id)
        if topic is None:
            return []
        council = await ctx.session.get(Council, topic.council_id)
        linked = await ctx.session.get(Case, topic.escalated_case_id) if topic.escalated_case_id else None
        decided = (await ctx.session.execute(select(Resolution).where(Resolution.topic_id == topic.id))).scalars()
        context = {"topic": topic, "council": council, "linked": linked, "resolutions": list(decided)}
        return [Panel(_("Consultation council"), "consultation_council/case_panel.html", context, order=20)]
    if case.case_type_key == "resident_request":
        query = select(Case).join(Topic, Topic.case_id == Case.id).where(Topic.escalated_case_id == case.id)
        source = (await ctx.session.execute(query)).scalar_one_or_none()
        if source is not None:
            context = {"source": source, "topic": None, "council": None, "linked": None, "resolutions": []}
            return [Panel(_("Consultation council"), "consultation_council/case_panel.html", context, order=20)]
    return []


@hookimpl
def notification_kinds() -> list[NotificationKind]:
    """The council's notices go to the core inbox as one kind (see notify.py)."""
    return list(notify.KINDS)
