"""Demo data for ``sanshe demo``: the 海曙 incubation base, the autism parents' group's whole path,
about forty organizations across the stages, a hub supervising six of them, one exit after 24 months.

Demo users (password ``sanshe-demo``): ``incubator`` (孵化基地工作人员, centre staff), ``mentor``
(孵化导师, a social worker) and ``hub`` (staff of 海曙区社区社会组织联合会, a hub organization).
Idempotent: nothing is added when the base exists. Rows are written directly (one flush per
kind) so seeding takes a fraction of a second; only the autism group's path goes through the
case engine's steps, as the pages would take them.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import (
    Case,
    Membership,
    OrgUnit,
    Settings,
    User,
    bump_policy_version,
    context_for,
    create_case,
    demo_password_hash,
    organizations,
)
from plugins.incubation import assessments, cases, desks, instruments, mentoring
from plugins.incubation.manifest import CASE_TYPE, MENTOR_ROLE, STAFF_ROLE
from plugins.incubation.models import (
    Allocation,
    Assessment,
    Cohort,
    Criterion,
    HubEvaluation,
    Incubation,
    Incubator,
    Mentor,
    Session,
    Space,
    Training,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, RequestContext

__all__ = ("BASE_NAME", "credit_code", "seed_incubation")

BASE_NAME = "海曙区社会组织孵化基地"
AUTISM = "海曙区自闭症儿童家长互助协会"
HUB = "海曙区社区社会组织联合会"
USERS = (
    ("incubator", "孵化基地 李敏", STAFF_ROLE),
    ("mentor", "督导社工 王晓红", MENTOR_ROLE),
    ("hub", "联合会 孙丽华", "org_staff"),
)
_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(registered_type: str, body: str) -> str:
    """A valid unified social credit code of a 海曙 (330203) social organization (both check characters computed)."""
    value = {c: i for i, c in enumerate("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")}
    org_sum = sum(value[c] * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    c9 = 11 - org_sum % 11
    org_check = "0" if c9 == 11 else ("X" if c9 == 10 else str(c9))
    digit = {"social_group": "1", "social_service": "2", "foundation": "3"}[registered_type]
    head = f"5{digit}330203{body}{org_check}"
    total = sum(_CODE_CHARS.index(c) * w for c, w in zip(head, _CODE_WEIGHTS, strict=True))
    return head + _CODE_CHARS[(31 - total % 31) % 31]


PLACES = ("平桥", "牡丹", "鼓楼", "南门", "西门", "月湖", "白云", "段塘", "望春")
# The demo's org units by place: an organization named after one serves it (its service area).
PLACE_UNITS = {"平桥": "pingqiao", "牡丹": "mudan", "鼓楼": "gulou"}
ACTIVITIES = (
    ("老年合唱团", "culture"),
    ("邻里互助会", "governance"),
    ("垃圾分类志愿队", "environment"),
    ("亲子阅读会", "children"),
    ("助餐服务队", "elderly"),
    ("心理支持小组", "health"),
    ("残健融合手工坊", "disability"),
    ("青少年足球队", "youth"),
    ("法律咨询志愿团", "legal"),
    ("非遗剪纸社", "culture"),
    ("助老陪伴队", "elderly"),
    ("环保骑行队", "environment"),
)
# (stage, how many) — with the autism group: 40 organizations, 30 of them reached residency.
PLAN = (
    ("graduated", 9),
    ("exited_resident", 3),
    ("exited_early", 1),
    ("exit_24", 1),
    ("registered", 6),
    ("resident", 10),
    ("filed", 4),
    ("screened", 2),
    ("applied", 3),
)
CLOSED = {"graduated", "exited"}


async def _users(session: AsyncSession, district: District) -> dict[str, User]:
    unit = (await session.execute(select(OrgUnit).where(OrgUnit.code == "gulou"))).scalar_one_or_none()
    out: dict[str, User] = {}
    for username, display, role in USERS:
        user = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
        if user is None:
            user = User(username=username, display_name=display, password_hash=demo_password_hash())
            session.add(user)
            await session.flush()
        query = select(Membership.id).where(
            Membership.user_id == user.id, Membership.district_id == district.id, Membership.role_key == role
        )
        if (await session.execute(query)).first() is None:
            session.add(
                Membership(
                    user_id=user.id, district_id=district.id, role_key=role, org_unit_id=unit.id if unit else None
                )
            )
        out[username] = user
    await session.flush()
    await bump_policy_version(session, district)
    return out


async def _ctx(session: AsyncSession, district: District, user: User) -> RequestContext:
    from core.plugin_api import PluginHost  # noqa: PLC0415

    settings = Settings(database_url="", secret_key="unused", var_dir=Path("var"))  # noqa: S106
    return await context_for(
        session, settings=settings, host=PluginHost.load(None), user=user, district=district, locale="zh_CN"
    )


async def seed_incubation(session: AsyncSession, district: District) -> None:
    """Add the demo base and its story to ``district`` unless the base is there already."""
    if (await session.execute(select(Incubator.id).where(Incubator.name == BASE_NAME))).first():
        return
    users = await _users(session, district)
    ctx = await _ctx(session, district, users["incubator"])
    gulou = (await session.execute(select(OrgUnit).where(OrgUnit.code == "gulou"))).scalar_one_or_none()
    base = Incubator(
        name=BASE_NAME,
        address="海曙区解放南路 208 号 3 楼",
        org_unit_id=gulou.id if gulou else None,
        phone="057487301122",
        description="区级孵化基地：免费工位、培训、导师督导、能力评估、登记指导。",
    )
    session.add(base)
    await session.flush()
    spaces = [Space(incubator_id=base.id, code=f"D-{i:02d}", kind="desk", capacity=1) for i in range(1, 13)]
    spaces += [
        Space(incubator_id=base.id, code="O-1", kind="office", capacity=1),
        Space(incubator_id=base.id, code="R-1", kind="shared_room", capacity=6),
    ]
    session.add_all(spaces)
    cohort_old = Cohort(incubator_id=base.id, name="2023 年春季批次", intake_on=date(2023, 3, 1))
    cohort_new = Cohort(incubator_id=base.id, name="2025 年秋季批次", intake_on=date(2025, 9, 1))
    session.add_all([cohort_old, cohort_new])
    mentor = Mentor(name="王晓红", kind="social_worker", phone="13805747701", user_id=users["mentor"].id)
    expert = Mentor(name="周建国", kind="expert", phone="13905748802")
    session.add_all([mentor, expert])
    await session.flush()
    instrument = await assessments.current_instrument(session)
    assert instrument is not None
    hub = (
        await session.execute(select(organizations.Organization).where(organizations.Organization.name == HUB))
    ).scalar_one_or_none()
    if hub is not None and await organizations.role_in(session, district, hub.id, users["hub"].id) is None:
        await organizations.add_member(
            session, district, hub.id, role="leader", user_id=users["hub"].id, title="秘书长"
        )
    today = cases.today()
    await _autism_path(ctx, base, spaces, mentor, today)
    await _many(
        ctx,
        session=session,
        district=district,
        base=base,
        spaces=spaces,
        cohorts=[cohort_old, cohort_new],
        mentors=[mentor, expert],
        hub=hub,
        today=today,
        instrument_id=instrument.id,
    )
    training = Training(incubator_id=base.id, topic="社会组织财务规范与登记指引", held_on=today - timedelta(days=20))
    session.add(training)
    await session.flush()
    residents = (
        await session.execute(
            select(Incubation.organization_id).where(Incubation.active.is_(True), Incubation.stage == "resident")
        )
    ).scalars()
    await mentoring.record_attendance(ctx, training, list(residents)[:6])


# Version 2 of the instrument (published in the story before the final assessment): a dimension added.
V2 = [
    *assessments.DEFAULT_DIMENSIONS,
    {
        "key": "party",
        "zh": "党建引领",
        "en": "Party building",
        "indicators": [
            {"zh": "党的工作覆盖", "en": "Party work coverage", "max": 10},
            {"zh": "党建活动", "en": "Party activities", "max": 10},
        ],
    },
]


def _by_indicator(scores: dict[str, float]) -> dict[str, dict[str, float]]:
    """Indicator scores (two indicators out of 10 each) giving the dimensions' 0–5 ``scores``."""
    return {key: {"i1": 2 * value, "i2": 2 * value} for key, value in scores.items()}


async def _autism_path(ctx: RequestContext, base: Incubator, spaces: list[Space], mentor: Mentor, today: date) -> None:
    """The autism parents' group: applied → screened → filed → resident (D-03) → registered → graduated."""
    assert ctx.district is not None
    session = ctx.session
    org = (
        await session.execute(select(organizations.Organization).where(organizations.Organization.name == AUTISM))
    ).scalar_one_or_none()
    if org is None:
        return
    registered_on, code, rtype = org.registered_on, org.credit_code or "", org.registered_type
    row = await cases.apply(
        ctx,
        {
            "incubator_id": base.id,
            "organization_id": org.id,
            "mode": "on_site",
            "summary": "2009 年起步的家长微信群，互相支持照护自闭症孩子，希望入驻孵化、规范运作。",
        },
    )
    start = today - timedelta(days=400)
    await cases.take_step(ctx, row, "screen", {"screening_notes": "家长自发、需求真实、骨干稳定，同意入驻。"})
    await cases.take_step(ctx, row, "file", {"filing_number": "海曙备字 2009-017"})
    await cases.set_agreement(
        ctx,
        row,
        {
            "start_on": start.isoformat(),
            "mentor_id": mentor.id,
            "criteria": [c for c, _e in cases.STANDARD_CRITERIA[:3]],
            "custom_criteria": "建立家长喘息服务志愿者队伍",
        },
    )
    await cases.take_step(ctx, row, "admit", {})
    await desks.allocate(ctx, row, {"space_id": spaces[2].id, "starts_on": start.isoformat()})
    for days, notes, items in (
        (380, "梳理会员名册与章程草案；讨论家长互助小组的分组方式。", "起草章程\n整理会员名册"),
        (320, "财务制度：开设对公账户前的记账方式；志愿者排班。", "建立收支台账"),
        (250, "准备登记材料：业务主管单位意见、场所证明。", "向民政局预审登记材料"),
    ):
        await mentoring.add_session(
            ctx,
            row,
            {
                "held_on": (today - timedelta(days=days)).isoformat(),
                "notes": notes,
                "items": items,
                "due_on": (today - timedelta(days=days - 30)).isoformat(),
            },
        )
    await assessments.add_assessment(
        ctx,
        row,
        {
            "phase": "intake",
            "assessed_on": (start + timedelta(days=10)).isoformat(),
            "assessor": "王晓红",
            "indicator_scores": _by_indicator(
                {"governance": 1.5, "finance": 1, "projects": 2, "volunteers": 3, "resources": 1.5}
            ),
        },
    )
    await cases.take_step(
        ctx,
        row,
        "register",
        {
            "registration_number": "海民社证字第 0103 号",
            "credit_code": code,
            "registered_type": rtype.value if rtype else "social_group",
        },
    )
    org.registered_on = registered_on
    await instruments.publish(ctx, {"based_on": 1, "name": "社会组织能力评估（2026 修订）", "dimensions": V2})
    await assessments.add_assessment(
        ctx,
        row,
        {
            "phase": "final",
            "assessed_on": (today - timedelta(days=15)).isoformat(),
            "assessor": "王晓红",
            "indicator_scores": _by_indicator(
                {"governance": 4, "finance": 3.5, "projects": 4, "volunteers": 4.5, "resources": 3, "party": 3}
            ),
        },
    )
    for criterion in await cases.criteria_of(ctx, row):
        await cases.decide_criterion(ctx, row, criterion.id, {"status": "met", "evidence": "督导核实，材料存档"})
    await cases.take_step(ctx, row, "graduate", {})
    row.applied_on, row.resident_on = start - timedelta(days=45), start  # the steps above were all taken today
    allocation = (await session.execute(select(Allocation).where(Allocation.incubation_id == row.id))).scalar_one()
    allocation.ends_on = today - timedelta(days=1) if allocation.starts_on < today - timedelta(days=1) else None
    await session.flush()


async def _many(
    ctx: RequestContext,
    *,
    session: AsyncSession,
    district: District,
    base: Incubator,
    spaces: list[Space],
    cohorts: list[Cohort],
    mentors: list[Mentor],
    hub: organizations.Organization | None,
    today: date,
    instrument_id: int,
) -> None:
    """About forty organizations across the stages, with dates spread over 2019–2026 (rows written directly)."""
    org_table = organizations.Organization
    taken = set((await session.execute(select(org_table.name))).scalars())
    units = select(OrgUnit.code, OrgUnit.id).where(OrgUnit.code.in_(PLACE_UNITS.values()))
    unit_ids: dict[str, int] = dict((await session.execute(units)).tuples().all())
    n = 0
    desk_index = 0
    hub_members = 0
    free_desks = [s for s in spaces if s.kind == "desk" and s.code != "D-03"]
    for plan, count in PLAN:
        for _ in range(count):
            place = PLACES[n % len(PLACES)]
            activity, field = ACTIVITIES[(n + n // len(PLACES)) % len(ACTIVITIES)]
            name = f"{place}社区{activity}"
            if name in taken:
                name = f"{place}社区第二{activity}"
            n += 1
            stage = "exited" if plan.startswith("exit") else plan
            registered = stage in ("graduated", "registered")
            filed = registered or stage in ("filed", "resident", "exited")
            rtype = "social_group" if n % 2 else "social_service"
            applied = date(2019 + n % 7, 1 + n % 12, 5)
            applied = min(applied, today - timedelta(days=30 + n))
            if stage in ("applied", "screened", "filed"):
                applied = today - timedelta(days=10 + 3 * n)
            resident_on = (
                applied + timedelta(days=45)
                if stage in ("graduated", "registered", "resident") or plan in ("exited_resident", "exit_24")
                else None
            )
            if plan == "exit_24":
                applied, resident_on = today - timedelta(days=800), today - timedelta(days=760)
            data = organizations.OrganizationInput(
                name=name,
                kind="registered" if registered else ("filed" if filed else "informal"),
                registered_type=rtype if registered else "",
                credit_code=credit_code(rtype, f"MJ89{n:04d}") if registered else "",
                filing_number=f"海曙备字 {applied.year}-{n:03d}" if filed else "",
                contact_name="负责人",
                contact_phone=f"1380574{n:04d}",
                filed_on=applied + timedelta(days=20) if filed else None,
                registered_on=(resident_on or applied) + timedelta(days=200) if registered else None,
                fields=[field],
                areas=[unit_ids[PLACE_UNITS[place]]] if PLACE_UNITS.get(place) in unit_ids else [],
                hub_id=hub.id if hub is not None and hub_members < 6 and n % 4 == 1 else None,  # spread over stages
            )
            org = await organizations.create_organization(session, district, data)
            if data.hub_id and hub is not None:
                hub_members += 1
                grade = "优秀" if n % 3 == 0 else "良好"
                session.add(
                    HubEvaluation(
                        hub_id=hub.id,
                        member_id=org.id,
                        year=today.year - 1,
                        score=92 if grade == "优秀" else 81,
                        grade=grade,
                        notes="按期报送年度工作报告，活动记录完整。",
                    )
                )
            case = await create_case(ctx, CASE_TYPE, title=f"{name} 入驻申请", data={}, channel="walk_in")
            case.state = stage
            case.is_open = stage not in CLOSED
            planned_end = cases.add_months(resident_on, 24) if resident_on else None
            graduated_on = None
            if stage == "graduated" and resident_on:
                graduated_on = min(resident_on + timedelta(days=300 + 40 * (n % 9)), today - timedelta(days=1))
            exited_on = None
            if stage == "exited":
                exited_on = today - timedelta(days=5) if plan == "exit_24" else applied + timedelta(days=120 + n)
            row = Incubation(
                case_id=case.id,
                organization_id=org.id,
                incubator_id=base.id,
                cohort_id=cohorts[n % 2].id,
                mentor_id=mentors[n % 2].id if resident_on else None,
                mode="virtual" if n % 7 == 0 else "on_site",
                stage=stage,
                active=stage not in CLOSED,
                applied_on=applied,
                start_on=resident_on,
                planned_end_on=planned_end,
                resident_on=resident_on,
                registered_on=(resident_on + timedelta(days=200)) if registered and resident_on else None,
                graduated_on=graduated_on,
                exited_on=exited_on,
                exit_reason="孵化期满 24 个月，仍未达成“独立运营项目”“规范财务制度”两项出壳条件，经评审退出。"
                if plan == "exit_24"
                else ("骨干外出务工，活动停止。" if stage == "exited" else ""),
            )
            session.add(row)
            await session.flush()
            if resident_on:
                for label, _en in cases.STANDARD_CRITERIA[:3]:
                    status = "met" if stage == "graduated" else ("pending" if plan == "exit_24" or n % 3 else "met")
                    session.add(
                        Criterion(
                            incubation_id=row.id,
                            label=label,
                            status=status,
                            evidence="材料存档" if status == "met" else "",
                        )
                    )
                session.add(
                    Assessment(
                        incubation_id=row.id,
                        instrument_id=instrument_id,
                        phase="intake",
                        assessed_on=resident_on + timedelta(days=7),
                        assessor="王晓红",
                        scores={"governance": 1 + n % 3, "finance": 1, "projects": 2, "volunteers": 2, "resources": 1},
                    )
                )
            if stage in ("resident", "registered") and row.mode == "on_site" and desk_index < len(free_desks) - 1:
                session.add(
                    Allocation(space_id=free_desks[desk_index].id, incubation_id=row.id, starts_on=resident_on or today)
                )
                desk_index += 1
            if plan == "exit_24":
                session.add(
                    Allocation(
                        space_id=free_desks[-1].id,
                        incubation_id=row.id,
                        starts_on=resident_on or today,
                        release_due_on=today + timedelta(days=14),
                    )
                )
            if stage == "resident" and n % 2 == 0:
                session.add(
                    Session(
                        incubation_id=row.id,
                        mentor_id=row.mentor_id,
                        held_on=today - timedelta(days=n),
                        notes="月度督导：项目进度与志愿者排班。",
                    )
                )
    await session.flush()
    _ = Case
