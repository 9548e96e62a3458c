"""The grade evaluation process (社会组织等级评估, 1A–5A): the rules, shared by pages, API, seed and tests.

Indicator tree per organization type and version → application (eligibility) → self-assessment →
on-site assessment by an expert panel (panel score per indicator = the mean of the experts who
handed in their scores; experts who belong to the organization are excluded) → total → grade by
the district's bands → publicity with objections (:mod:`plugins.rating.service`: ``record_grade``)
→ review → confirmation (valid from 1 January after the announcement, five years) → certificate.

Every refusal is a :class:`~core.plugin_api.Refusal` (Chinese and English) and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.plugin_api import Forbidden, Membership, NotFound, Refusal, localized, organizations, utcnow
from plugins.rating import grade_notices, service
from plugins.rating.manifest import KEY
from plugins.rating.models import Grade
from plugins.rating.models_grades import (
    ORG_TYPES,
    SECTIONS,
    GradeEvaluation,
    GradeExpertScore,
    GradeIndicator,
    GradeObjection,
    GradePanelMember,
    GradeSelfScore,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, RequestContext

__all__ = (
    "STANDARD_TREE",
    "IndicatorRow",
    "apply",
    "assign_expert",
    "check_eligibility",
    "close_scoring",
    "confirm",
    "end_publicity",
    "ensure_tree",
    "panel_means",
    "save_indicator",
    "save_self_assessment",
    "submit_expert_scores",
    "withdraw",
)

NOTE_MAX = 1000
EXPERT_ROLE = "expert"

ORG_TYPE_LABELS = {
    "social_group": ("社会团体", "Social group"),
    "social_service": ("社会服务机构", "Social service organization"),
    "foundation": ("基金会", "Foundation"),
}
SECTION_LABELS = {
    "basic": ("基础条件", "Basic conditions"),
    "governance": ("内部治理", "Internal governance"),
    "performance": ("工作绩效", "Work performance"),
    "social": ("社会评价", "Social evaluation"),
    "bonus": ("加分项", "Bonus points"),
}
STATE_LABELS = {
    "self_assessment": ("自评中", "Self-assessment"),
    "expert_scoring": ("专家实地评估", "On-site assessment"),
    "publicity": ("公示中", "In publicity"),
    "review": ("评估委员会审核", "Committee review"),
    "confirmed": ("已确认", "Confirmed"),
    "not_graded": ("未达等级", "No grade reached"),
    "withdrawn": ("已撤回", "Withdrawn"),
}

# The standard tree (民政部《社会组织评估管理办法》 and its indicator frameworks, simplified):
# 1,000 points in four sections plus 100 bonus points. (section, code, name, maximum points)
STANDARD_TREE: tuple[tuple[str, str, str, int], ...] = (
    ("basic", "1.1", "法人资格", 30),
    ("basic", "1.2", "章程与登记备案事项", 30),
    ("basic", "1.3", "年度检查与年度报告", 40),
    ("governance", "2.1", "发展规划", 40),
    ("governance", "2.2", "组织机构（会员大会、理事会、监事会）", 80),
    ("governance", "2.3", "党建工作", 50),
    ("governance", "2.4", "人力资源与志愿者管理", 50),
    ("governance", "2.5", "财务与资产管理", 90),
    ("governance", "2.6", "档案与证章管理", 40),
    ("performance", "3.1", "提供服务与开展活动", 120),
    ("performance", "3.2", "反映诉求、参与社会治理", 80),
    ("performance", "3.3", "诚信建设与行业自律", 80),
    ("performance", "3.4", "信息公开与宣传", 70),
    ("performance", "3.5", "特色工作与品牌项目", 50),
    ("social", "4.1", "会员与服务对象评价", 60),
    ("social", "4.2", "登记管理机关评价", 40),
    ("social", "4.3", "业务主管单位评价", 30),
    ("social", "4.4", "社会公众与媒体评价", 20),
    ("bonus", "5.1", "获得表彰奖励", 50),
    ("bonus", "5.2", "承接政府购买服务成效", 50),
)
BASE_POINTS = 1000
BONUS_MAX = 200


def org_type_label(org_type: str) -> str:
    zh, en = ORG_TYPE_LABELS.get(org_type, (org_type, org_type))
    return localized(zh, en)


def section_label(section: str, org_type: str = "") -> str:
    """The section's name; a social service organization's third section is 业务活动和诚信建设."""
    if section == "performance" and org_type == "social_service":
        return localized("业务活动和诚信建设", "Activities and integrity")
    zh, en = SECTION_LABELS.get(section, (section, section))
    return localized(zh, en)


def state_label(state: str) -> str:
    zh, en = STATE_LABELS.get(state, (state, state))
    return localized(zh, en)


def show_points(tenths: int | Fraction | None) -> str:
    """Tenths of a point as the user reads them: 85 → "8.5", 80 → "8"; a mean to two decimals."""
    if tenths is None:
        return "—"
    if isinstance(tenths, Fraction):
        return f"{float(tenths) / 10:.2f}"
    return f"{tenths // 10}" if tenths % 10 == 0 else f"{tenths / 10:.1f}"


def parse_points(raw: object, maximum: int, field: str) -> int:
    """``"8.5"`` → 85 tenths; between 0 and the indicator's maximum, at most one decimal."""
    text = str(raw if raw is not None else "").strip()
    whole, dot, frac = text.partition(".")
    if not whole.isdigit() or len(whole) > 4 or (dot and (len(frac) != 1 or not frac.isdigit())):
        raise Refusal(
            f"请为指标 {field} 填写 0 到 {maximum} 之间的分数（最多一位小数）",
            f"Give indicator {field} 0 to {maximum} points (one decimal at most)",
            errors={f"points_{field}": "分数无效"},
        )
    tenths = int(whole) * 10 + (int(frac) if dot else 0)
    if tenths > maximum * 10:
        raise Refusal(
            f"指标 {field} 最高 {maximum} 分",
            f"Indicator {field} has at most {maximum} points",
            errors={f"points_{field}": f"最高 {maximum} 分"},
        )
    return tenths


# -- the indicator tree ------------------------------------------------------------------------------


async def latest_version(session: AsyncSession, org_type: str) -> int:
    """The newest tree version of the organization type (0 when the district has none yet)."""
    found = await session.execute(select(func.max(GradeIndicator.version)).where(GradeIndicator.org_type == org_type))
    return int(found.scalar_one() or 0)


async def ensure_tree(session: AsyncSession, district: District, org_type: str) -> int:
    """The newest version of the type's tree; the standard tree becomes version 1 when there is none."""
    if org_type not in ORG_TYPES:
        raise Refusal("未知的组织类型", "Unknown organization type", errors={"org_type": "未知的组织类型"})
    version = await latest_version(session, org_type)
    if version:
        return version
    session.add_all(
        GradeIndicator(
            district_id=district.id,
            org_type=org_type,
            version=1,
            section=section,
            code=code,
            name=name,
            max_points=points,
            position=i,
        )
        for i, (section, code, name, points) in enumerate(STANDARD_TREE)
    )
    await session.flush()
    return 1


async def indicators(session: AsyncSession, org_type: str, version: int) -> list[GradeIndicator]:
    query = (
        select(GradeIndicator)
        .where(GradeIndicator.org_type == org_type, GradeIndicator.version == version)
        .order_by(GradeIndicator.position, GradeIndicator.code)
    )
    return list((await session.execute(query)).scalars())


def section_sums(rows: list[GradeIndicator]) -> dict[str, int]:
    sums = dict.fromkeys(SECTIONS, 0)
    for row in rows:
        sums[row.section] += row.max_points
    return sums


async def save_indicator(
    ctx: RequestContext, *, org_type: str, code: str, section: str, name: str, max_points: object
) -> GradeIndicator:
    """Add an indicator to the type's tree, or change the one with that code (the district admin).

    A version that an evaluation uses is never changed: the edit goes to a new version (a copy),
    which the evaluations applied for from then on use.
    """
    assert ctx.district is not None
    if not ctx.can(KEY, "indicators"):
        raise Forbidden("只有区级管理员可以编辑指标体系", "Only the district admin edits the indicators")
    code, name = code.strip(), name.strip()
    errors: dict[str, str] = {}
    if not code or len(code) > 10 or not all(p.isdigit() for p in code.split(".")):
        errors["code"] = "编号形如 2.3"
    if section not in SECTIONS:
        errors["section"] = "请选择一级指标"
    if not name or len(name) > 100:
        errors["name"] = "请填写指标名称（100 字以内）"
    points = str(max_points).strip()
    if not points.isdigit() or not 1 <= int(points) <= 500:
        errors["max_points"] = "分值应为 1 到 500 的整数"
    if errors:
        raise Refusal("请检查标出的项目", "Please check the marked fields", errors=errors)
    version = await ensure_tree(ctx.session, ctx.district, org_type)
    used = await ctx.session.execute(
        select(func.count())
        .select_from(GradeEvaluation)
        .where(GradeEvaluation.org_type == org_type, GradeEvaluation.tree_version == version)
    )
    rows = await indicators(ctx.session, org_type, version)
    if used.scalar_one():
        version += 1
        copies = [
            GradeIndicator(
                district_id=ctx.district.id,
                org_type=org_type,
                version=version,
                section=r.section,
                code=r.code,
                name=r.name,
                max_points=r.max_points,
                position=r.position,
            )
            for r in rows
        ]
        ctx.session.add_all(copies)
        rows = copies
    target = next((r for r in rows if r.code == code), None)
    if target is None:
        target = GradeIndicator(
            district_id=ctx.district.id,
            org_type=org_type,
            version=version,
            code=code,
            position=max((r.position for r in rows), default=0) + 1,
        )
        ctx.session.add(target)
        rows = [*rows, target]
    target.section, target.name, target.max_points = section, name, int(points)
    sums = section_sums(rows)
    base = sum(v for k, v in sums.items() if k != "bonus")
    if base > BASE_POINTS or sums["bonus"] > BONUS_MAX:
        raise Refusal(
            f"基本分合计不能超过 {BASE_POINTS} 分、加分项不能超过 {BONUS_MAX} 分"
            f"（现为 {base} 分和 {sums['bonus']} 分）",
            f"The four sections total at most {BASE_POINTS} points and the bonus at most {BONUS_MAX} "
            f"(now {base} and {sums['bonus']})",
            errors={"max_points": "超过总分"},
        )
    await ctx.session.flush()
    return target


# -- application and eligibility ---------------------------------------------------------------------


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


async def check_eligibility(
    ctx: RequestContext, org: organizations.Organization, *, year: int, annual_report_filed: bool, today: date
) -> list[tuple[str, str]]:
    """Why the organization may not apply (Chinese, English), or nothing when it may."""
    settings = await service.settings_of(ctx)
    years = int(settings.get("min_registered_years", 2))
    reasons: list[tuple[str, str]] = []
    if org.kind != organizations.OrgKind.REGISTERED or org.registered_type is None:
        reasons.append(
            (
                "只有已登记的社会组织（社会团体、社会服务机构、基金会）可以申请等级评估",
                "Only registered organizations (social groups, social service organizations, foundations) may apply",
            )
        )
    elif org.registered_on is None:
        reasons.append(
            ("登记日期不详，请先在组织名录中补全登记日期", "The registration date is missing in the registry")
        )
    elif _years_after(org.registered_on, years) > today:
        allowed = _years_after(org.registered_on, years)
        reasons.append(
            (
                f"登记满 {years} 年方可申请：该组织于 {org.registered_on.isoformat()} 登记，"
                f"{allowed.isoformat()} 起可申请",
                f"An organization may apply {years} years after registration: registered "
                f"{org.registered_on.isoformat()}, it may apply from {allowed.isoformat()}",
            )
        )
    if org.status != organizations.OrgStatus.ACTIVE:
        reasons.append(("该组织不在正常活动状态", "The organization is not active"))
    if not annual_report_filed:
        reasons.append(
            (
                "未按规定报送上一年度工作报告（年检/年报），不能申请等级评估",
                "Last year's annual report (annual inspection) was not filed",
            )
        )
    current = (await service.current_grades(ctx.session, today)).get(org.id)
    if current is not None and current.year > year - 2:
        reasons.append(
            (
                f"该组织现有 {current.grade} 等级（{current.year} 年度评定）仍在有效期内，距上次评估不满 2 年",
                f"The organization holds a valid {current.grade} grade evaluated in {current.year}, "
                "less than 2 years ago",
            )
        )
    return reasons


async def apply(
    ctx: RequestContext,
    *,
    organization_id: int,
    year: int,
    annual_report_filed: bool,
    today: date | None = None,
) -> GradeEvaluation:
    """The organization (its staff, or staff for it) applies; eligibility is checked; the tree version is fixed."""
    assert ctx.district is not None
    if ctx.user is None or not await service.may_respond(ctx, organization_id):
        raise Forbidden("只有该组织的工作人员或管理人员可以申请", "Only the organization's staff may apply for it")
    today = today or service.local_today()
    if not 2000 <= year <= 2100:
        raise Refusal("年度无效", "The year is not valid", errors={"year": "年度无效"})
    org = await organizations.get_organization(ctx.session, ctx.district, organization_id)
    reasons = await check_eligibility(ctx, org, year=year, annual_report_filed=annual_report_filed, today=today)
    if reasons:
        raise Refusal(
            "不符合申请条件：" + "；".join(zh for zh, _en in reasons),
            "Not eligible: " + "; ".join(en for _zh, en in reasons),
            status_code=422,
        )
    assert org.registered_type is not None
    org_type = org.registered_type.value
    version = await ensure_tree(ctx.session, ctx.district, org_type)
    row = GradeEvaluation(
        district_id=ctx.district.id,
        organization_id=org.id,
        year=year,
        org_type=org_type,
        tree_version=version,
        status="self_assessment",
        annual_report_filed=True,
        applied_by_id=ctx.user.id,
    )
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(row)
            await ctx.session.flush()
    except IntegrityError:
        raise Refusal(
            "该组织这一年度已申请等级评估", "The organization has already applied for that year", status_code=409
        ) from None
    return row


async def get_evaluation(session: AsyncSession, evaluation_id: int) -> GradeEvaluation:
    found = (
        await session.execute(select(GradeEvaluation).where(GradeEvaluation.id == evaluation_id))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound("没有这项等级评估", "No such grade evaluation")
    return found


async def on_panel(session: AsyncSession, evaluation_id: int, user_id: int) -> GradePanelMember | None:
    query = select(GradePanelMember).where(
        GradePanelMember.evaluation_id == evaluation_id, GradePanelMember.user_id == user_id
    )
    return (await session.execute(query)).scalar_one_or_none()


async def may_see(ctx: RequestContext, ev: GradeEvaluation) -> bool:
    """Staff, the organization (its staff and its hub's) and the experts on its panel."""
    if ctx.user is None:
        return False
    if ctx.can(KEY, "manage") or await service.may_respond(ctx, ev.organization_id):
        return True
    return await on_panel(ctx.session, ev.id, ctx.user.id) is not None


async def evaluations_for(ctx: RequestContext, state: str | None = None) -> list[GradeEvaluation]:
    """The evaluations the user may see: staff all; an organization's staff its own; an expert those on their panel."""
    assert ctx.district is not None
    query = select(GradeEvaluation).order_by(GradeEvaluation.created_at.desc(), GradeEvaluation.id.desc())
    if state:
        query = query.where(GradeEvaluation.status == state)
    if not ctx.can(KEY, "manage"):
        if ctx.user is None:
            return []
        own = [o.id for o in await organizations.organizations_of_user(ctx.session, ctx.district, ctx.user.id)]
        own += [
            o.id for hub_id in list(own) for o in await organizations.supervised_by(ctx.session, ctx.district, hub_id)
        ]
        panel = select(GradePanelMember.evaluation_id).where(GradePanelMember.user_id == ctx.user.id)
        query = query.where(GradeEvaluation.organization_id.in_(own or [0]) | GradeEvaluation.id.in_(panel))
    rows = list((await ctx.session.execute(query.limit(500))).scalars())
    if ctx.can(KEY, "manage"):
        return rows
    return [r for r in rows if await may_see(ctx, r)]


async def state_counts(session: AsyncSession) -> dict[str, int]:
    query = select(GradeEvaluation.status, func.count()).group_by(GradeEvaluation.status)
    return {str(s): int(n) for s, n in (await session.execute(query)).tuples()}


# -- self-assessment ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorRow:
    """One indicator of an evaluation with the organization's points and the panel's mean."""

    indicator: GradeIndicator
    self_tenths: int | None
    self_note: str
    panel_mean: Fraction | None
    experts: int


async def _self_scores(session: AsyncSession, evaluation_id: int) -> dict[int, GradeSelfScore]:
    query = select(GradeSelfScore).where(GradeSelfScore.evaluation_id == evaluation_id)
    return {s.indicator_id: s for s in (await session.execute(query)).scalars()}


def _read_scores(
    tree: list[GradeIndicator], scores: Mapping[str, tuple[object, str]], *, complete: bool
) -> dict[int, tuple[int, str]]:
    """``{code: (points, note)}`` → ``{indicator id: (tenths, note)}``; every indicator when ``complete``."""
    by_code = {i.code: i for i in tree}
    unknown = sorted(set(scores) - set(by_code))
    if unknown:
        raise Refusal(f"没有指标 {unknown[0]}", f"No indicator {unknown[0]}", errors={"scores": "未知指标"})
    read: dict[int, tuple[int, str]] = {}
    missing: list[str] = []
    for ind in tree:
        raw, note = scores.get(ind.code, ("", ""))
        if str(raw if raw is not None else "").strip() == "":
            missing.append(ind.code)
            continue
        if len(note) > NOTE_MAX:
            raise Refusal(
                f"指标 {ind.code} 的说明太长（{NOTE_MAX} 字以内）",
                f"The note of indicator {ind.code} is too long",
                errors={f"note_{ind.code}": "太长"},
            )
        read[ind.id] = (parse_points(raw, ind.max_points, ind.code), note.strip())
    if complete and missing:
        raise Refusal(
            f"请为每项指标打分（还缺 {', '.join(missing[:5])}{' 等' if len(missing) > 5 else ''}）",
            f"Score every indicator (missing {', '.join(missing[:5])})",
            errors={f"points_{c}": "请打分" for c in missing},
        )
    return read


async def save_self_assessment(
    ctx: RequestContext, ev: GradeEvaluation, scores: Mapping[str, tuple[object, str]], *, submit: bool
) -> GradeEvaluation:
    """The organization's points per indicator, with a note or evidence; ``submit`` hands it to the panel."""
    assert ctx.district is not None
    if not await service.may_respond(ctx, ev.organization_id):
        raise Forbidden("只有该组织的工作人员可以自评", "Only the organization's staff fill in the self-assessment")
    if ev.status != "self_assessment":
        raise Refusal("自评已经提交", "The self-assessment has already been handed in", status_code=409)
    tree = await indicators(ctx.session, ev.org_type, ev.tree_version)
    read = _read_scores(tree, scores, complete=submit)
    have = await _self_scores(ctx.session, ev.id)
    for indicator_id, (tenths, note) in read.items():
        row = have.get(indicator_id)
        if row is None:
            ctx.session.add(
                GradeSelfScore(
                    district_id=ctx.district.id,
                    evaluation_id=ev.id,
                    indicator_id=indicator_id,
                    tenths=tenths,
                    note=note,
                )
            )
        else:
            row.tenths, row.note = tenths, note
    if submit:
        ev.status = "expert_scoring"
        ev.self_submitted_at = utcnow()
    await ctx.session.flush()
    if submit:
        await grade_notices.tell(ctx, ev, "submitted")
    return ev


# -- the expert panel --------------------------------------------------------------------------------


async def experts(session: AsyncSession) -> list[Any]:
    """The district's users with the expert role (评估专家), by name."""
    from core.plugin_api import User  # noqa: PLC0415

    query = (
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.role_key == EXPERT_ROLE)
        .distinct()
        .order_by(User.display_name, User.id)
    )
    return list((await session.execute(query)).scalars())


async def conflict_of(ctx: RequestContext, ev: GradeEvaluation, user_id: int) -> str:
    """Why the user may not assess the organization (its staff or member), or ""."""
    assert ctx.district is not None
    if await organizations.is_member(ctx.session, ctx.district, ev.organization_id, user_id):
        return localized(
            "该专家是被评估组织的工作人员或成员，须回避", "The expert is staff or a member of the organization"
        )
    return ""


async def assign_expert(ctx: RequestContext, ev: GradeEvaluation, user_id: int) -> GradePanelMember:
    """Staff put an expert on the on-site panel; one who belongs to the organization is refused."""
    assert ctx.district is not None
    if not ctx.can(KEY, "manage"):
        raise Forbidden("只有工作人员可以组织专家组", "Only staff form the expert panel")
    if ev.status not in ("self_assessment", "expert_scoring"):
        raise Refusal("评分已经结束", "The scoring is over", status_code=409)
    if user_id not in {u.id for u in await experts(ctx.session)}:
        raise Refusal("请选择一位评估专家", "Choose an expert", errors={"user_id": "请选择一位评估专家"})
    why = await conflict_of(ctx, ev, user_id)
    if why:
        raise Refusal(why, why, errors={"user_id": why}, status_code=409)
    row = GradePanelMember(district_id=ctx.district.id, evaluation_id=ev.id, user_id=user_id, assigned_by_id=None)
    row.assigned_by_id = ctx.user.id if ctx.user else None
    try:
        async with ctx.session.begin_nested():
            ctx.session.add(row)
            await ctx.session.flush()
    except IntegrityError:
        raise Refusal("该专家已在专家组中", "The expert is already on the panel", status_code=409) from None
    expert = next(u for u in await experts(ctx.session) if u.id == user_id)
    await grade_notices.tell(ctx, ev, "panel", also=(user_id,), expert=expert.label)
    return row


async def panel(session: AsyncSession, evaluation_id: int) -> list[GradePanelMember]:
    query = (
        select(GradePanelMember).where(GradePanelMember.evaluation_id == evaluation_id).order_by(GradePanelMember.id)
    )
    return list((await session.execute(query)).scalars())


async def expert_scores(session: AsyncSession, evaluation_id: int, expert_id: int) -> dict[int, GradeExpertScore]:
    query = select(GradeExpertScore).where(
        GradeExpertScore.evaluation_id == evaluation_id, GradeExpertScore.expert_id == expert_id
    )
    return {s.indicator_id: s for s in (await session.execute(query)).scalars()}


async def submit_expert_scores(
    ctx: RequestContext, ev: GradeEvaluation, scores: Mapping[str, tuple[object, str]]
) -> GradePanelMember:
    """An expert on the panel hands in points for every indicator (again: replaces their own, until scoring closes).

    Each expert writes only their own rows: two experts handing in at the same moment are both kept.
    """
    assert ctx.district is not None
    if ctx.user is None:
        raise Forbidden("请先登录", "Please log in")
    member = await on_panel(ctx.session, ev.id, ctx.user.id)
    if member is None:
        raise Forbidden("您不在这项评估的专家组中", "You are not on this evaluation's panel")
    if ev.status != "expert_scoring":
        raise Refusal("现在不是专家评分阶段", "The evaluation is not in its on-site assessment", status_code=409)
    why = await conflict_of(ctx, ev, ctx.user.id)
    if why:
        raise Refusal(why, why, status_code=409)
    tree = await indicators(ctx.session, ev.org_type, ev.tree_version)
    read = _read_scores(tree, scores, complete=True)
    have = await expert_scores(ctx.session, ev.id, ctx.user.id)
    for indicator_id, (tenths, note) in read.items():
        row = have.get(indicator_id)
        if row is None:
            ctx.session.add(
                GradeExpertScore(
                    district_id=ctx.district.id,
                    evaluation_id=ev.id,
                    expert_id=ctx.user.id,
                    indicator_id=indicator_id,
                    tenths=tenths,
                    note=note,
                )
            )
        else:
            row.tenths, row.note = tenths, note
    member.submitted_at = utcnow()
    await ctx.session.flush()
    return member


async def counted_experts(ctx: RequestContext, ev: GradeEvaluation) -> list[int]:
    """The experts whose scores count: handed in, and not staff or members of the organization."""
    assert ctx.district is not None
    submitted = [m.user_id for m in await panel(ctx.session, ev.id) if m.submitted_at is not None]
    return [u for u in submitted if not await organizations.is_member(ctx.session, ctx.district, ev.organization_id, u)]


async def panel_means(ctx: RequestContext, ev: GradeEvaluation) -> dict[int, tuple[Fraction, int]]:
    """Per indicator: the mean of the counted experts' points (in tenths, exact) and how many scored it.

    Summed in SQL (one GROUP BY); the mean is kept as a fraction so the total rounds once.
    """
    counted = await counted_experts(ctx, ev)
    if not counted:
        return {}
    query = (
        select(GradeExpertScore.indicator_id, func.sum(GradeExpertScore.tenths), func.count())
        .where(GradeExpertScore.evaluation_id == ev.id, GradeExpertScore.expert_id.in_(counted))
        .group_by(GradeExpertScore.indicator_id)
    )
    return {int(i): (Fraction(int(s), int(n)), int(n)) for i, s, n in (await ctx.session.execute(query)).tuples()}


def round_total(means: dict[int, tuple[Fraction, int]]) -> int:
    """The total in whole points: the sum of the panel means, rounded half up once."""
    tenths = sum((m for m, _n in means.values()), Fraction(0))
    points = tenths / 10
    return int(points + Fraction(1, 2)) if points >= 0 else 0


async def rows_of(ctx: RequestContext, ev: GradeEvaluation) -> list[IndicatorRow]:
    tree = await indicators(ctx.session, ev.org_type, ev.tree_version)
    mine = await _self_scores(ctx.session, ev.id)
    means = await panel_means(ctx, ev)
    return [
        IndicatorRow(
            i,
            mine[i.id].tenths if i.id in mine else None,
            mine[i.id].note if i.id in mine else "",
            means[i.id][0] if i.id in means else None,
            means[i.id][1] if i.id in means else 0,
        )
        for i in tree
    ]


async def close_scoring(ctx: RequestContext, ev: GradeEvaluation, *, today: date | None = None) -> GradeEvaluation:
    """Staff close the on-site assessment: the total (sum of panel means) gets its grade under the district's
    bands and goes to publicity; a total below every band is "no grade reached"."""
    assert ctx.district is not None
    if not ctx.can(KEY, "manage"):
        raise Forbidden("只有工作人员可以结束评分", "Only staff close the scoring")
    if ev.status != "expert_scoring":
        raise Refusal("现在不是专家评分阶段", "The evaluation is not in its on-site assessment", status_code=409)
    settings = await service.settings_of(ctx)
    needed = int(settings.get("min_experts", 1))
    counted = await counted_experts(ctx, ev)
    if len(counted) < needed:
        raise Refusal(
            f"至少需要 {needed} 位专家提交评分（现有 {len(counted)} 位）",
            f"At least {needed} experts must hand in their scores (now {len(counted)})",
            status_code=409,
        )
    total = round_total(await panel_means(ctx, ev))
    ev.total = total
    ev.scoring_closed_at = utcnow()
    grade = service.grade_for(total, service.parse_bands(settings["grade_bands"]))
    if grade is None:
        ev.status = "not_graded"
        await ctx.session.flush()
        await grade_notices.tell(ctx, ev, "scored", total=total, grade="未达等级 / no grade")
        return ev
    result = await service.record_grade(ctx, organization_id=ev.organization_id, year=ev.year, total=total, today=today)
    ev.grade, ev.grade_id, ev.status = result.grade, result.id, "publicity"
    await ctx.session.flush()
    await grade_notices.tell(ctx, ev, "scored", total=total, grade=result.grade)
    await grade_notices.tell(ctx, ev, "publicity", grade=result.grade, until=result.publicity_until.isoformat())
    return ev


async def _grade_of(ctx: RequestContext, ev: GradeEvaluation) -> Grade:
    if ev.grade_id is None:
        raise Refusal("这项评估还没有结果", "The evaluation has no result yet", status_code=409)
    return await service.get_grade(ctx.session, ev.grade_id)


async def end_publicity(ctx: RequestContext, ev: GradeEvaluation, *, today: date | None = None) -> GradeEvaluation:
    """After the publicity period, with every objection answered, the result goes to the committee's review."""
    if not ctx.can(KEY, "manage"):
        raise Forbidden("只有工作人员可以结束公示", "Only staff end the publicity")
    if ev.status != "publicity":
        raise Refusal("这项评估不在公示中", "The evaluation is not in publicity", status_code=409)
    grade = await _grade_of(ctx, ev)
    today = today or service.local_today()
    if today <= grade.publicity_until:
        raise Refusal(
            f"公示期到 {grade.publicity_until.isoformat()} 才结束",
            f"The publicity lasts until {grade.publicity_until.isoformat()}",
            status_code=409,
        )
    await service.require_objections_answered(ctx.session, grade)
    ev.status = "review"
    await ctx.session.flush()
    return ev


async def confirm(ctx: RequestContext, ev: GradeEvaluation, note: str, *, today: date | None = None) -> GradeEvaluation:
    """The committee's review is recorded and the grade confirmed and announced (valid from 1 January next year)."""
    if not ctx.can(KEY, "manage"):
        raise Forbidden("只有工作人员可以确认等级", "Only staff confirm a grade")
    if ev.status != "review":
        raise Refusal("这项评估不在审核阶段", "The evaluation is not in review", status_code=409)
    if not note.strip() or len(note) > NOTE_MAX:
        raise Refusal("请填写审核意见", "Write the review's conclusion", errors={"note": "请填写审核意见"})
    grade = await _grade_of(ctx, ev)
    today = today or service.local_today()
    await service.confirm_grade(ctx, grade, today=today)
    ev.status, ev.review_note, ev.confirmed_on = "confirmed", note.strip(), today
    ev.reviewed_by_id = ctx.user.id if ctx.user else None
    await ctx.session.flush()
    valid_from, valid_until = service.validity(today)
    await grade_notices.tell(
        ctx, ev, "confirmed", grade=grade.grade, valid_from=valid_from.isoformat(), valid_until=valid_until.isoformat()
    )
    return ev


WITHDRAWABLE = ("self_assessment", "expert_scoring")


async def withdraw(ctx: RequestContext, ev: GradeEvaluation, reason: str) -> GradeEvaluation:
    """The organization (its staff, or staff for it) withdraws its application before the result, with a reason.

    Kept, marked withdrawn (scores and panel stay for the record); the organization may apply
    again the next year. The evaluation staff and the panel are told.
    """
    if not await service.may_respond(ctx, ev.organization_id):
        raise Forbidden("只有该组织的工作人员可以撤回申请", "Only the organization's staff may withdraw it")
    if ev.status not in WITHDRAWABLE:
        raise Refusal("评估结果已经产生，不能撤回", "The result is out: it can no longer be withdrawn", status_code=409)
    text = (reason or "").strip()
    if not text or len(text) > NOTE_MAX:
        raise Refusal(
            "请填写撤回原因（1000 字以内）",
            "Give the reason for withdrawing (at most 1,000 characters)",
            errors={"reason": "请填写撤回原因"},
        )
    ev.status, ev.withdrawn_at, ev.withdraw_reason = "withdrawn", utcnow(), text
    await ctx.session.flush()
    await grade_notices.tell(ctx, ev, "withdrawn", reason=text)
    return ev


async def objections(session: AsyncSession, grade_ids: list[int]) -> dict[int, list[GradeObjection]]:
    query = select(GradeObjection).where(GradeObjection.grade_id.in_(grade_ids or [0])).order_by(GradeObjection.id)
    found: dict[int, list[GradeObjection]] = {}
    for o in (await session.execute(query)).scalars():
        found.setdefault(o.grade_id, []).append(o)
    return found


async def in_publicity(session: AsyncSession, today: date | None = None) -> list[Grade]:
    """Grades in publicity now (the public page), best first."""
    today = today or service.local_today()
    query = (
        select(Grade)
        .where(Grade.status == "publicity", Grade.publicity_until >= today)
        .order_by(Grade.total.desc(), Grade.id)
    )
    return list((await session.execute(query)).scalars())


def publicity_end(start: date, days: int) -> date:
    return start + timedelta(days=days)
