"""Hub supervision (枢纽型社会组织): what a user sees of incubations, and hubs' annual evaluations.

Centre staff and district officers (``incubation:view``) see every incubation of the district.
Anyone else sees only the organizations they are a leader or staff of, and — when one of
those is a hub — the organizations it supervises. The rule is a SQL condition
(:func:`visible`) added to every query of pages, API and exports.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, false, select, true

from core.plugin_api import Refusal, organizations
from plugins.incubation.manifest import KEY
from plugins.incubation.models import HubEvaluation, Incubation
from plugins.incubation.service import check_int, check_text, refuse

if TYPE_CHECKING:
    from collections.abc import Mapping

    from core.plugin_api import RequestContext

__all__ = ("add_evaluation", "evaluations_of", "hubs_of_user", "reachable_org_ids", "sees_all", "visible")

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


async def reachable_org_ids(ctx: RequestContext) -> set[int]:
    """Organizations whose incubation data the user may see when not centre staff: own ones and hub members."""
    if ctx.user is None or ctx.district is None:
        return set()
    roles = [organizations.MemberRole.LEADER, organizations.MemberRole.STAFF]
    own = await organizations.organizations_of_user(ctx.session, ctx.district, ctx.user.id, roles=roles)
    ids = {o.id for o in own}
    for hub in (o for o in own if o.is_hub):
        ids.update(m.id for m in await organizations.supervised_by(ctx.session, ctx.district, hub.id))
    return ids


async def visible(ctx: RequestContext) -> ColumnElement[bool]:
    """The SQL condition on :class:`Incubation` rows the user may see."""
    if sees_all(ctx):
        return true()
    ids = await reachable_org_ids(ctx)
    return Incubation.organization_id.in_(sorted(ids)) if ids else false()


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
