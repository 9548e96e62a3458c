"""Every hook the incubation plugin implements. The core loads this module and nothing else.

Hooks are plain functions or ``async def``; docs/plugins/hooks.md describes each one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import (
    DEFAULT_ROLES,
    Manifest,
    NavItem,
    Panel,
    PolicyDefault,
    hookimpl,
    organizations,
)
from core.plugin_api import gettext as _
from plugins.incubation import cases, hubs
from plugins.incubation.api import API_ROUTES
from plugins.incubation.jobs import JOBS, KINDS
from plugins.incubation.labels import label
from plugins.incubation.manifest import CASE_TYPE, KEY, MANIFEST, MENTOR_ROLE, STAFF_ROLE
from plugins.incubation.models import Incubation, Mentor
from plugins.incubation.reports import field_label
from plugins.incubation.routes import ROUTES
from plugins.incubation.routes_instruments import INSTRUMENT_API_ROUTES, INSTRUMENT_ROUTES
from plugins.incubation.routes_public import PUBLIC_ROUTES
from plugins.incubation.seed import seed_incubation

if TYPE_CHECKING:
    from collections.abc import Iterable

    import click
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import Case, CaseTypeDef, District, JobSpec, NotificationKind, RequestContext, Transition

CASE_TYPES = Path(__file__).parent / "case_types"
VIEWERS = ("district_admin", "community_worker", "social_worker", STAFF_ROLE, MENTOR_ROLE)
APPLICANTS = (
    "district_admin",
    "community_worker",
    "social_worker",
    "org_staff",
    "resident",
    "volunteer",
    STAFF_ROLE,
    MENTOR_ROLE,
)
MANAGERS = ("district_admin", STAFF_ROLE)
MENTORS = ("district_admin", "social_worker", STAFF_ROLE, MENTOR_ROLE)

_CRITERIA_EN = dict(cases.STANDARD_CRITERIA)


def criterion(text: str) -> str:
    """A graduation criterion as the reader reads it: the standard ones in English too, custom ones as written."""
    english = _CRITERIA_EN.get(text)
    return _(english) if english else text


TEMPLATE_HELPERS = {"criterion": criterion, "field": field_label, "label": label}


async def org_names(session: AsyncSession, ids: Iterable[int]) -> dict[int, str]:
    """Organization names by id (the session's district)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    org = organizations.Organization
    return dict((await session.execute(select(org.id, org.name).where(org.id.in_(wanted)))).all())  # type: ignore[arg-type]


@hookimpl
def plugin_manifest() -> Manifest:
    return MANIFEST


@hookimpl
def register_routes() -> list[Any]:
    return [*ROUTES, *INSTRUMENT_ROUTES]


@hookimpl
def register_public_routes() -> list[Any]:
    return list(PUBLIC_ROUTES)


@hookimpl
def public_pages(ctx: RequestContext) -> list[NavItem]:
    label = _("Incubation hub: incubated and graduated organizations")
    return [NavItem(label, ctx.url("/public/incubation"), order=40)]


@hookimpl
def register_api_routes() -> list[Any]:
    return [*API_ROUTES, *INSTRUMENT_API_ROUTES]


@hookimpl
def register_commands(cli: click.Group) -> None:
    from plugins.incubation import cli as cli_module  # noqa: PLC0415

    cli_module.register(cli)


@hookimpl
def template_globals() -> dict[str, Any]:
    return TEMPLATE_HELPERS


@hookimpl
def default_policies() -> list[PolicyDefault]:
    roles = {r.key for r in DEFAULT_ROLES} | {STAFF_ROLE, MENTOR_ROLE}
    out = [PolicyDefault(r, KEY, "view") for r in VIEWERS if r in roles]
    out += [PolicyDefault(r, KEY, "apply") for r in APPLICANTS if r in roles]
    out += [PolicyDefault(r, KEY, "mentor") for r in MENTORS if r in roles]
    out += [PolicyDefault(r, KEY, "manage") for r in MANAGERS if r in roles]
    out += [PolicyDefault(r, "organization", "view") for r in (STAFF_ROLE, MENTOR_ROLE)]
    out += [PolicyDefault(r, "dashboard", "view") for r in (STAFF_ROLE, MENTOR_ROLE)]  # their start page
    return out


@hookimpl
def nav_items(ctx: RequestContext) -> list[NavItem]:
    return [
        NavItem(
            _("Incubation hub"),
            ctx.url("/incubation"),
            icon="sprout",
            order=45,
            permission=(KEY, "apply"),
        )
    ]


@hookimpl
def case_types() -> list[Path]:
    return [CASE_TYPES / f"{CASE_TYPE}.yaml"]


@hookimpl
async def before_transition(
    ctx: RequestContext, case: Case, case_type: CaseTypeDef, transition: Transition, data: dict[str, Any]
) -> str | None:
    if case_type.key != CASE_TYPE:
        return None
    return await cases.refusal(ctx, case, transition, data)


@hookimpl
async def after_transition(ctx: RequestContext, case: Case, case_type: CaseTypeDef, transition: Transition) -> None:
    if case_type.key == CASE_TYPE:
        await cases.after_step(ctx, case, case_type, transition)


@hookimpl
def scheduled_jobs() -> list[JobSpec]:
    return list(JOBS)


@hookimpl
def notification_kinds() -> list[NotificationKind]:
    return list(KINDS)


@hookimpl
async def organization_panels(ctx: RequestContext, organization: Any) -> list[Panel]:
    """Stage, mentor, desks and assessments of the organization's incubations (for those who may see them)."""
    where = await hubs.visible(ctx)
    query = (
        select(Incubation)
        .where(where, Incubation.organization_id == organization.id)
        .order_by(Incubation.applied_on.desc())
    )
    rows = list((await ctx.session.execute(query)).scalars())
    if not rows:
        return []
    mentors = {m.id: m for m in (await ctx.session.execute(select(Mentor))).scalars()}
    from plugins.incubation.desks import allocations_of  # noqa: PLC0415

    desks = {r.id: [s.code for a, s in await allocations_of(ctx.session, r.id) if a.ends_on is None] for r in rows}
    return [
        Panel(
            _("Incubation"),
            "incubation/org_panel.html",
            {"rows": rows, "mentors": mentors, "desks": desks},
            order=30,
        )
    ]


@hookimpl
async def seed_demo(session: AsyncSession, district: District) -> None:
    await seed_incubation(session, district)
