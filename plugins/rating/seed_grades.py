"""Demo grade evaluations (社会组织等级评估) for ``sanshe demo``.

- 鼓楼街道居家养老服务中心: last year's evaluation, confirmed 4A (861 points), certificate ready
- 海曙区阳光社会工作服务社: this year's, 912 points → 5A under the default bands, in publicity, one objection answered
- 海曙区自闭症儿童家长互助协会 (the demo ``orgstaff`` leads it): self-assessment handed in, the demo
  ``expert`` on its panel has not scored yet

A second run adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.plugin_api import User, organizations, utcnow
from plugins.rating import grading
from plugins.rating.models import Grade
from plugins.rating.models_grades import (
    GradeEvaluation,
    GradeExpertScore,
    GradeObjection,
    GradePanelMember,
    GradeSelfScore,
)
from plugins.rating.service import validity

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District
    from plugins.rating.models_grades import GradeIndicator

__all__ = ("points_for", "seed_grades")

CONFIRMED = "鼓楼街道居家养老服务中心"
PUBLICITY = "海曙区阳光社会工作服务社"
SCORING = "海曙区自闭症儿童家长互助协会"


def points_for(tree: list[GradeIndicator], total: int) -> dict[int, int]:
    """Tenths per indicator that add up to ``total`` points: the same share of each maximum, the rest spread."""
    full = sum(i.max_points for i in tree) * 10
    want = min(total * 10, full)
    tenths = {i.id: i.max_points * 10 * want // full for i in tree}
    rest = want - sum(tenths.values())
    for i in tree:
        if rest <= 0:
            break
        extra = min(rest, i.max_points * 10 - tenths[i.id])
        tenths[i.id] += extra
        rest -= extra
    return tenths


async def seed_grades(session: AsyncSession, district: District, staff: int | None, today: date) -> None:
    """Three evaluations, each at a different step (see the module's docstring)."""
    if (await session.execute(select(func.count()).select_from(GradeEvaluation))).scalar_one():
        return
    org = organizations.Organization
    named = {
        o.name: o
        for o in (await session.execute(select(org).where(org.name.in_((CONFIRMED, PUBLICITY, SCORING))))).scalars()
    }
    if len(named) == 3:
        chosen = [named[CONFIRMED], named[PUBLICITY], named[SCORING]]
    else:  # a district without the core's demo organizations: registered ones first, then any
        query = select(org).order_by((org.kind != organizations.OrgKind.REGISTERED), org.id).limit(3)
        chosen = list((await session.execute(query)).scalars())
    expert = (await session.execute(select(User).where(User.username == "expert"))).scalar_one_or_none()
    now = utcnow()
    announced = date(today.year - 1, 12, 18)
    plans = (
        (today.year - 1, 861, "confirmed"),
        (today.year, 912, "publicity"),
        (today.year, None, "expert_scoring"),
    )
    for organization, (year, total, status) in zip(chosen, plans, strict=False):
        registered = organization.registered_type
        org_type = registered.value if registered is not None else "social_group"
        version = await grading.ensure_tree(session, district, org_type)
        tree = await grading.indicators(session, org_type, version)
        ev = GradeEvaluation(
            district_id=district.id,
            organization_id=organization.id,
            year=year,
            org_type=org_type,
            tree_version=version,
            status=status,
            annual_report_filed=True,
            applied_by_id=staff,
            self_submitted_at=now,
            total=total,
        )
        session.add(ev)
        await session.flush()
        own = points_for(tree, (total or 880) + 24)
        session.add_all(
            GradeSelfScore(
                district_id=district.id,
                evaluation_id=ev.id,
                indicator_id=i.id,
                tenths=own[i.id],
                note="见年度工作报告及相关台账" if i.section != "bonus" else "见获奖证书复印件",
            )
            for i in tree
        )
        if expert is not None:
            session.add(
                GradePanelMember(
                    district_id=district.id,
                    evaluation_id=ev.id,
                    user_id=expert.id,
                    assigned_by_id=staff,
                    submitted_at=now if total is not None else None,
                )
            )
        if total is None:
            continue
        if expert is not None:
            scored = points_for(tree, total)
            session.add_all(
                GradeExpertScore(
                    district_id=district.id,
                    evaluation_id=ev.id,
                    expert_id=expert.id,
                    indicator_id=i.id,
                    tenths=scored[i.id],
                    note="",
                )
                for i in tree
            )
        start, end = validity(announced)
        grade = Grade(
            district_id=district.id,
            organization_id=organization.id,
            year=year,
            total=total,
            grade="4A" if status == "confirmed" else "5A",
            status=status,
            publicity_until=announced - timedelta(days=8) if status == "confirmed" else today + timedelta(days=5),
            announced_on=announced if status == "confirmed" else None,
            valid_from=start if status == "confirmed" else None,
            valid_until=end if status == "confirmed" else None,
            recorded_by_id=staff,
        )
        session.add(grade)
        await session.flush()
        ev.grade, ev.grade_id, ev.scoring_closed_at = grade.grade, grade.id, now
        if status == "confirmed":
            ev.review_note, ev.confirmed_on, ev.reviewed_by_id = "评估委员会审核通过", announced, staff
        else:
            session.add(
                GradeObjection(
                    district_id=district.id,
                    grade_id=grade.id,
                    reason="该机构去年有一项服务项目延期，社会评价分是否偏高？",
                    answer="经核实，项目延期已报备并按期完成，专家组维持评分。",
                    answered_by_id=staff,
                    answered_at=now,
                )
            )
    await session.flush()
