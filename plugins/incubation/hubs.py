"""Hub supervision (枢纽型社会组织): what a user sees of incubations, and hubs' annual evaluations.

Centre staff and district officers (``incubation:view``) see every incubation of the district.
Anyone else sees only the organizations they are a leader or staff of, and — when one of
those is a hub — the organizations it supervises. The rule is a SQL condition
(:func:`visible`) added to every query of pages, API and exports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, false, select, true

from core.plugin_api import Refusal, organizations
from plugins.incubation.manifest import KEY
from plugins.incubation.models import HubEvaluation, Incubation
from plugins.incubation.service import check_int, check_text, refuse

if TYPE_CHECKING:
    from collections.abc import Mapping

    from core.plugin_api import RequestContext

__all__ = (
    "add_evaluation",
    "evaluations_of",
    "hub_or_404",
    "hubs_of_user",
    "may_supervise",
    "reachable",
    "require_supervision",
    "sees_all",
    "supervises",
    "visible",
)

STAFF = ("leader", "staff")


def sees_all(ctx: RequestContext) -> bool:
    return ctx.can(KEY, "view") or ctx.can(KEY, "manage")


async def hubs_of_user(ctx: RequestContext) -> list[Any]:
    """The hub organizations the user is a leader or staff of."""
    if ctx.user is None or ctx.district is None:
        return []
    roles = [organizations.MemberRole.LEADER, organizations.MemberRole.STAFF]
    return [
        o
        for o in await organizations.organizations_of_user(ctx.session, ctx.district, ctx.user.id, roles=roles)
        if o.is_hub
    ]


def reachable(ctx: RequestContext) -> Select[tuple[int]]:
    """SQL: the ids of the organizations the user is a leader or staff of, and of those their hubs supervise."""
    member, org = organizations.OrganizationMember, organizations.Organization
    roles = [organizations.MemberRole.LEADER.value, organizations.MemberRole.STAFF.value]
    user_id = ctx.user.id if ctx.user is not None else -1
    own = select(member.organization_id).where(member.user_id == user_id, member.role.in_(roles))
    hubs = (
        select(org.id)
        .join(member, member.organization_id == org.id)
        .where(org.is_hub.is_(True), member.user_id == user_id, member.role.in_(roles))
    )
    supervised = select(org.id).where(org.hub_id.in_(hubs))
    return own.union(supervised)  # type: ignore[return-value]


async def visible(ctx: RequestContext) -> ColumnElement[bool]:
    """The SQL condition on :class:`Incubation` rows the user may see (a record rule: no list built in Python)."""
    if sees_all(ctx):
        return true()
    if ctx.user is None or ctx.district is None:
        return false()
    return Incubation.organization_id.in_(reachable(ctx))


async def supervises(ctx: RequestContext, incubation: Incubation) -> bool:
    """The user is a leader or staff of the hub that supervises the incubated organization (one SQL query)."""
    if ctx.user is None:
        return False
    member, org = organizations.OrganizationMember, organizations.Organization
    roles = [organizations.MemberRole.LEADER.value, organizations.MemberRole.STAFF.value]
    query = (
        select(org.id)
        .join(member, member.organization_id == org.hub_id)
        .where(org.id == incubation.organization_id, member.user_id == ctx.user.id, member.role.in_(roles))
        .limit(1)
    )
    return (await ctx.session.execute(query)).first() is not None


async def may_supervise(ctx: RequestContext, incubation: Incubation) -> bool:
    """Record supervision sessions (督导): mentors, and the staff of the organization's hub."""
    return ctx.can(KEY, "mentor") or await supervises(ctx, incubation)


async def require_supervision(ctx: RequestContext, incubation: Incubation) -> None:
    if not await may_supervise(ctx, incubation):
        ctx.require(KEY, "mentor")  # the usual 403


async def hub_or_404(ctx: RequestContext, hub_id: int) -> Any:
    """A hub the user works for (any hub for centre staff); 404 otherwise, never saying whether it exists."""
    from core.plugin_api import NotFound  # noqa: PLC0415

    assert ctx.district is not None
    if sees_all(ctx):
        org = organizations.Organization
        row = (
            await ctx.session.execute(select(org).where(org.id == hub_id, org.is_hub.is_(True)))
        ).scalar_one_or_none()
    else:
        row = next((h for h in await hubs_of_user(ctx) if h.id == hub_id), None)
    if row is None:
        raise NotFound("没有这个枢纽组织，或您无权查看。", "No such hub, or you may not see it.")
    return row


async def add_evaluation(ctx: RequestContext, hub_id: int, raw: Mapping[str, Any]) -> HubEvaluation:
    """A hub's annual evaluation of one of its members (score 0–100, a grade, notes); one per member and year."""
    assert ctx.district is not None and ctx.user is not None
    hubs = {h.id for h in await hubs_of_user(ctx)}
    if hub_id not in hubs and not ctx.can(KEY, "manage"):
        raise Refusal(
            "只有枢纽组织的工作人员可以填写年度评价。",
            "Only the hub's staff can file its evaluations.",
            status_code=403,
        )
    errors: dict[str, tuple[str, str]] = {}
    member_id = check_int(raw.get("member_id"), "member_id", errors)
    year = check_int(raw.get("year"), "year", errors, low=2000, high=2100)
    score = check_int(raw.get("score"), "score", errors, low=0, high=100)
    grade = check_text(raw.get("grade"), "grade", errors, limit=20)
    notes = check_text(raw.get("notes"), "notes", errors, limit=2000)
    refuse(errors)
    members = {m.id for m in await organizations.supervised_by(ctx.session, ctx.district, hub_id)}
    if member_id not in members:
        refuse(
            {"member_id": ("只能评价本枢纽组织联系的成员组织。", "Only the hub's own members can be evaluated.")}, 403
        )
    taken = (
        await ctx.session.execute(
            select(HubEvaluation.id).where(
                HubEvaluation.hub_id == hub_id, HubEvaluation.member_id == member_id, HubEvaluation.year == year
            )
        )
    ).first()
    if taken is not None:
        refuse({"year": ("这一年已有该组织的年度评价。", "This member already has an evaluation for that year.")}, 409)
    row = HubEvaluation(
        hub_id=hub_id, member_id=member_id, year=year, score=score, grade=grade, notes=notes, created_by=ctx.user.id
    )
    ctx.session.add(row)
    await ctx.session.flush()
    return row


async def evaluations_of(ctx: RequestContext, hub_id: int) -> list[HubEvaluation]:
    query = (
        select(HubEvaluation)
        .where(HubEvaluation.hub_id == hub_id)
        .order_by(HubEvaluation.year.desc(), HubEvaluation.member_id)
    )
    return list((await ctx.session.execute(query)).scalars())
