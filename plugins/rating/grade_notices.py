"""Notifications of the grade evaluation's steps, through the core's notifications service.

| step | kind | who is told |
|---|---|---|
| self-assessment handed in | ``rating.grade_submitted`` | evaluation staff (district admin, social workers) |
| expert put on the panel | ``rating.grade_panel`` | the expert and the organization's staff |
| scoring closed (total, grade or no grade) | ``rating.grade_scored`` | the organization's staff |
| result in publicity | ``rating.grade_publicity`` | the organization's staff and the panel |
| objection during publicity | ``rating.grade_objection`` | the evaluation staff and the organization's staff |
| grade confirmed and announced | ``rating.grade_confirmed`` | the organization's staff and the panel |
| application withdrawn | ``rating.grade_withdrawn`` | the evaluation staff and the panel |

Whoever took the step is never told of it. Each notice links to the evaluation's page.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import Membership, NotificationKind, notify, organizations
from plugins.rating.models_grades import GradeEvaluation, GradePanelMember

if TYPE_CHECKING:
    from core.plugin_api import RequestContext

__all__ = ("KINDS", "STAFF_ROLES", "tell")

STAFF_ROLES = ("district_admin", "social_worker")  # who runs grade evaluations in a district

KINDS = [
    NotificationKind(
        key="rating.grade_submitted",
        title_zh="{organization} 已提交 {year} 年度等级评估自评",
        title_en="{organization} handed in its {year} grade self-assessment",
        body_zh="请组织专家组进行实地评估。",
        body_en="Form the expert panel for the on-site assessment.",
        label_zh="等级评估：自评已提交",
        label_en="Grade evaluation: self-assessment handed in",
    ),
    NotificationKind(
        key="rating.grade_panel",
        title_zh="{expert} 加入 {organization} {year} 年度等级评估专家组",
        title_en="{expert} is on the panel of {organization}'s {year} grade evaluation",
        label_zh="等级评估：专家组",
        label_en="Grade evaluation: expert panel",
    ),
    NotificationKind(
        key="rating.grade_scored",
        title_zh="{organization} {year} 年度等级评估得分 {total}：{grade}",
        title_en="{organization}'s {year} grade evaluation: {total} points, {grade}",
        label_zh="等级评估：评分结果",
        label_en="Grade evaluation: result",
    ),
    NotificationKind(
        key="rating.grade_publicity",
        title_zh="{organization} 评为 {grade}，公示至 {until}",
        title_en="{organization} graded {grade}: in publicity until {until}",
        body_zh="公示期内可对结果提出异议。",
        body_en="Objections may be raised during the publicity.",
        label_zh="等级评估：公示",
        label_en="Grade evaluation: publicity",
    ),
    NotificationKind(
        key="rating.grade_objection",
        title_zh="{organization} 的等级评估公示收到异议",
        title_en="An objection to {organization}'s grade in publicity",
        body_zh="请在审核前答复。",
        body_en="Answer it before the review.",
        label_zh="等级评估：异议",
        label_en="Grade evaluation: objections",
    ),
    NotificationKind(
        key="rating.grade_confirmed",
        title_zh="{organization} 等级确认为 {grade}，有效期 {valid_from} 至 {valid_until}",
        title_en="{organization}'s grade {grade} is confirmed, valid {valid_from} to {valid_until}",
        label_zh="等级评估：确认",
        label_en="Grade evaluation: confirmed",
    ),
    NotificationKind(
        key="rating.grade_withdrawn",
        title_zh="{organization} 撤回了 {year} 年度等级评估申请",
        title_en="{organization} withdrew its {year} grade evaluation application",
        body_zh="撤回原因：{reason}",
        body_en="Reason: {reason}",
        label_zh="等级评估：撤回申请",
        label_en="Grade evaluation: withdrawn",
    ),
]

AUDIENCES = {
    "submitted": ("staff",),
    "panel": ("org",),  # plus the expert named
    "scored": ("org",),
    "publicity": ("org", "panel"),
    "objection": ("staff", "org"),
    "confirmed": ("org", "panel"),
    "withdrawn": ("staff", "panel"),
}


async def _staff(ctx: RequestContext) -> list[int]:
    assert ctx.district is not None
    query = select(Membership.user_id).where(
        Membership.district_id == ctx.district.id, Membership.role_key.in_(STAFF_ROLES)
    )
    return list((await ctx.session.execute(query)).scalars())


async def _panel(ctx: RequestContext, evaluation_id: int) -> list[int]:
    query = select(GradePanelMember.user_id).where(GradePanelMember.evaluation_id == evaluation_id)
    return list((await ctx.session.execute(query)).scalars())


async def tell(
    ctx: RequestContext, ev: GradeEvaluation, step: str, *, also: tuple[int, ...] = (), **params: object
) -> int:
    """Notify the audience of ``step`` (see the table above) about ``ev``; returns how many were told."""
    assert ctx.district is not None
    org = await organizations.get_organization(ctx.session, ctx.district, ev.organization_id)
    recipients: list[int] = list(also)
    for audience in AUDIENCES[step]:
        if audience == "staff":
            recipients += await _staff(ctx)
        elif audience == "org":
            recipients += await organizations.staff_ids(ctx.session, ctx.district, org.id)
        else:
            recipients += await _panel(ctx, ev.id)
    actor = ctx.user.id if ctx.user else None
    chosen = sorted({r for r in recipients if r != actor})
    return await notify(
        ctx.session,
        chosen,
        f"rating.grade_{step}",
        {"organization": org.name, "year": ev.year, **params},
        ctx.url(f"/rating/grade-evaluations/{ev.id}"),
        district_id=ctx.district.id,
    )


async def evaluation_of_grade(ctx: RequestContext, grade_id: int) -> GradeEvaluation | None:
    """The evaluation that produced a grade (None for a total recorded by hand on the older page)."""
    query = select(GradeEvaluation).where(GradeEvaluation.grade_id == grade_id)
    return (await ctx.session.execute(query)).scalar_one_or_none()
