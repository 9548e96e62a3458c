"""Demo data for ``sanshe demo``: 海曙区's yearly call with its categories, 24 applications, 5 reviewers,
16 awards (as in 中山南区).

Adds the users ``grants-staff`` (district admin, runs the calls) and ``reviewer2`` … ``reviewer5``
(expert reviewers, with ``expert``); password ``sanshe-demo``. ``reviewer4`` is a member of one
applicant organization: a detected conflict, so it is excluded there. Also a second call open
today, so the demo organizations can apply. Idempotent: nothing is added if the call exists.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import Membership, User, demo_password_hash, ledger, organizations, utcnow
from plugins.grants.models import Application, Assignment, Call, Category, Criterion, Funder, Review, Tranche
from plugins.grants.models_extra import GrantBudgetLine

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("DEMO_CALL", "budget_lines", "seed_grants")

DEMO_CALL = "2026 年度海曙区公益创投大赛"
OPEN_CALL = "2027 年度社区微创投（征集中）"
CATEGORIES = (
    ("为老服务", 50_000_000),
    ("青少年成长", 40_000_000),
    ("助残服务", 40_000_000),
    ("环境保护", 30_000_000),
    ("社区治理", 40_000_000),
)
AWARDS = 16  # funded in the demo call, in score order while the total and category budgets last
CRITERIA = (("公益性", 25), ("创新性", 20), ("实践性", 20), ("影响力", 20), ("执行力", 15))
USERS = (
    ("grants-staff", "创投专员 郑洁", "district_admin"),
    ("reviewer2", "评审专家 孙磊", "expert"),
    ("reviewer3", "评审专家 周宁", "expert"),
    ("reviewer4", "评审专家 吴桐", "expert"),
    ("reviewer5", "评审专家 冯雪", "expert"),
)
EXTRA_ORGS = (
    ("海曙区银龄互助社", "filed"),
    ("南门街道邻里守望队", "informal"),
    ("海曙区绿色家园环保社", "filed"),
    ("白云街道亲子阅读会", "filed"),
    ("海曙区助残志愿服务队", "filed"),
    ("月湖社区乐龄合唱团", "informal"),
    ("海曙区青年社区营造社", "filed"),
    ("鼓楼街道楼道议事会", "informal"),
)
PROJECTS = (
    "银发课堂·智慧助老",
    "星星的孩子融合营",
    "楼道微更新",
    "四点半课堂",
    "独居老人守护计划",
    "垃圾分类积分行动",
    "助残就业加油站",
    "社区议事厅能力建设",
    "邻里互助食堂",
    "青少年社区规划师",
    "无障碍出行体验",
    "阳台花园",
    "老兵故事口述史",
    "残障家庭喘息服务",
    "河道守护少年",
    "社区睦邻节",
    "失智老人记忆咖啡馆",
    "亲子自然课堂",
    "外来务工子女陪伴",
    "物业纠纷调解工作室",
    "社区应急救护培训",
    "困境儿童微心愿",
    "老旧小区加装电梯协商",
    "新就业群体暖心驿站",
)
BUDGET_LINES = (("人员劳务费", 55), ("活动物料费", 30), ("场地与宣传", 15))  # percent of the project's budget


def budget_lines(application_id: int, district_id: int, total_fen: int) -> list[GrantBudgetLine]:
    """A demo agreement's budget: 55 / 30 / 15 % of the project's whole budget (the last takes the rest)."""
    rows, left = [], total_fen
    for i, (line, pct) in enumerate(BUDGET_LINES):
        fen = left if i == len(BUDGET_LINES) - 1 else total_fen * pct // 100
        left -= fen
        rows.append(
            GrantBudgetLine(
                district_id=district_id, application_id=application_id, position=i, line=line, planned_fen=fen
            )
        )
    return rows


async def _users(session: AsyncSession, district: District) -> dict[str, int]:
    found: dict[str, int] = {}
    for username, name, role in USERS:
        user = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
        if user is None:
            user = User(username=username, display_name=name, password_hash=demo_password_hash())
            session.add(user)
            await session.flush()
            session.add(Membership(user_id=user.id, district_id=district.id, role_key=role))
        found[username] = user.id
    expert = (await session.execute(select(User.id).where(User.username == "expert"))).scalar_one_or_none()
    if expert is not None:
        found["expert"] = expert
    await session.flush()
    return found


async def _organizations(session: AsyncSession, district: District) -> list[organizations.Organization]:
    existing = {o.name: o for o in (await session.execute(select(organizations.Organization))).scalars()}
    for i, (name, kind) in enumerate(EXTRA_ORGS):
        if name not in existing:
            org = organizations.Organization(
                district_id=district.id,
                name=name,
                kind=organizations.OrgKind(kind),
                founded_on=date(2015 + i % 8, 3, 1),
                filed_on=date(2016 + i % 8, 5, 1) if kind == "filed" else None,
                contact_name="联系人",
                description="社区社会组织。",
            )
            session.add(org)
            existing[name] = org
    await session.flush()
    return [o for o in existing.values() if not o.is_hub and str(o.status) in ("active", "OrgStatus.ACTIVE")]


def _call(title: str, opens_days: int, closes_days: int) -> Call:
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    closes = now + timedelta(days=closes_days)
    call = Call(
        title=title,
        description="海曙区每年安排 200 万元公益创投资金，支持社会组织开展为老、青少年、助残、环保和社区治理项目。",
        budget_fen=200_000_000,
        min_grant_fen=2_000_000,
        max_grant_fen=20_000_000,
        own_ratio_pct=10,
        allowed_kinds=["filed", "registered", "informal"],
        min_years_active=1,
        opens_at=now + timedelta(days=opens_days),
        closes_at=closes,
        review_by=(closes + timedelta(days=14)).date(),
        announce_on=(closes + timedelta(days=30)).date(),
        ranking="normalised",
        blind=False,
        partial_awards=False,
        reviewers_per_application=3,
        screening_items=["申报主体资格符合要求", "申报材料齐全", "预算编制合理"],
        categories=[],
        criteria=[],
    )
    for i, (name, budget) in enumerate(CATEGORIES):
        call.categories.append(Category(position=i, name=name, budget_fen=budget))
    for i, (name, weight) in enumerate(CRITERIA):
        call.criteria.append(
            Criterion(position=i, name=name, weight=weight, min_score=0, max_score=10, allow_na=name == "创新性")
        )
    return call


async def seed_grants(session: AsyncSession, district: District) -> int:
    """Add the demo calls, applications, reviews and projects (once: nothing when the demo call exists)."""
    if (await session.execute(select(Call.id).where(Call.title == DEMO_CALL))).first() is not None:
        return 0
    users = await _users(session, district)
    orgs = await _organizations(session, district)
    staff = users["grants-staff"]
    call = _call(DEMO_CALL, -40, -5)
    call.created_by = staff
    session.add(call)
    session.add(_call(OPEN_CALL, -3, 27))
    await session.flush()
    reviewer_ids = [users[u] for u in ("expert", "reviewer2", "reviewer3", "reviewer4", "reviewer5") if u in users]
    bias = dict(zip(reviewer_ids, (-2, 1, 0, -1, 2), strict=False))
    statuses = ["screened"] * 19 + ["submitted", "more_info", "dismissed", "draft", "draft"]
    apps: list[Application] = []
    for i, title in enumerate(PROJECTS):
        org = orgs[i % len(orgs)]
        status = statuses[i]
        app = Application(
            call_id=call.id,
            organization_id=org.id,
            category_id=call.categories[i % 5].id,
            title=title,
            summary=f"{title}：面向辖区居民开展为期一年的服务，每月不少于 4 次活动。",
            beneficiaries="辖区居民约 200 人",
            requested_fen=(6 + i % 7) * 1_000_000,
            own_contribution_fen=(1 + i % 3) * 1_000_000,
            status=status,
            submitted_at=None if status == "draft" else call.closes_at - timedelta(days=1 + i % 9),
        )
        if status == "more_info":
            app.info_message = "请补充项目预算明细表和合作社区盖章的需求证明。"
            app.info_deadline = utcnow() + timedelta(days=5)
        if status == "dismissed":
            app.dismissal_reason = "申报主体成立不满一年，不符合本次大赛的申报条件。"
        if status != "draft":
            app.screening = dict.fromkeys(call.screening_items, status != "dismissed")
        session.add(app)
        apps.append(app)
    await session.flush()
    conflicted = apps[0]
    if "reviewer4" in users:
        await organizations.add_member(
            session, district, conflicted.organization_id, role="member", user_id=users["reviewer4"]
        )
    load = dict.fromkeys(reviewer_ids, 0)
    quality: dict[int, int] = {}
    for i, app in enumerate(a for a in apps if a.status == "screened"):
        chosen: list[int] = []
        for rid in sorted(reviewer_ids, key=lambda r: (load[r], r)):
            if len(chosen) == 3:
                break
            if app is conflicted and rid == users.get("reviewer4"):
                session.add(
                    Assignment(application_id=app.id, reviewer_id=rid, conflict="评审人是申报组织的成员或工作人员")
                )
                continue
            chosen.append(rid)
            load[rid] += 1
        quality[app.id] = 4 + (i * 5) % 6
        for n, rid in enumerate(chosen):
            session.add(Assignment(application_id=app.id, reviewer_id=rid))
            scores = {}
            for k, criterion in enumerate(call.criteria):
                value = max(0, min(10, quality[app.id] + bias[rid] + (i + n + k) % 3 - 1))
                scores[str(criterion.id)] = None if criterion.allow_na and (i + n) % 4 == 0 else value
            done = not (i == 18 and n == 2)  # one review still a draft: progress shows it
            session.add(
                Review(
                    application_id=app.id,
                    reviewer_id=rid,
                    scores=scores,
                    comments={str(call.criteria[0].id): "项目需求清楚，服务对象明确。"},
                    submitted_at=utcnow() - timedelta(days=1) if done else None,
                )
            )
    await session.flush()
    screened = sorted((a for a in apps if a.status == "screened"), key=lambda a: (-quality[a.id], a.id))
    await _awards(session, district, call, screened, staff)
    from plugins.grants.seed_extra import seed_extra  # noqa: PLC0415  (pools, co-funder money)

    await seed_extra(session, district, users, staff)
    return len(apps)


async def _awards(
    session: AsyncSession, district: District, call: Call, screened: list[Application], staff: int
) -> None:
    """The demo call's results: the best 16 funded while the budgets last (one cut by an override with its
    reason), the rest not; projects in every stage."""
    budgets = {c.id: c.budget_fen for c in call.categories}
    left = call.budget_fen
    funded: list[Application] = []
    for app in screened:  # in score order
        category = app.category_id or 0
        fits = app.requested_fen <= left and app.requested_fen <= (budgets.get(category) or 0)
        if len(funded) < AWARDS and fits:
            funded.append(app)
            left -= app.requested_fen
            budgets[category] = (budgets.get(category) or 0) - app.requested_fen
    now = utcnow()
    for app in screened:
        approved = app in funded
        app.status = app.decision = "approved" if approved else "rejected"
        app.award_fen = app.requested_fen if approved else None
        app.decision_message = f"获得资助 {app.requested_fen / 100:.2f} 元。" if approved else "未获资助。"
    funded[1].award_fen = funded[1].requested_fen - 2_000_000
    funded[1].override_reason = "评审委员会建议压缩宣传物料费用 2 万元"
    funded[1].decision_message += f"调整理由：{funded[1].override_reason}"
    call.decided_at = now - timedelta(days=2)
    fund = await ledger.open_account(
        session,
        district_id=district.id,
        owner_kind="system",
        owner_ref="grants:fund",
        unit="fen",
        name="公益创投资金",
        min_balance=None,
    )
    stages = ("closed", "midterm", "signed", "signed", "signed")  # the other eleven are not signed yet
    for app, stage in zip(sorted(funded[:5], key=lambda a: a.id), stages, strict=True):
        assert app.award_fen is not None
        app.signed_at = now - timedelta(days=1)
        app.starts_on, app.ends_on = date(2026, 3, 1), date(2027, 2, 28)
        app.milestones = "3 月启动；8 月中期评估；次年 2 月结项"
        session.add(Funder(application_id=app.id, kind="district", name="区公益创投资金", committed_fen=app.award_fen))
        co_funded = 3_000_000 if stage == "closed" else 0
        if co_funded:
            session.add(
                Funder(application_id=app.id, kind="company", name="宁波甬江银行海曙支行", committed_fen=co_funded)
            )
        session.add_all(budget_lines(app.id, district.id, app.award_fen + app.own_contribution_fen + co_funded))
        if stage in ("midterm", "closed"):
            app.midterm_accepted_at = now - timedelta(hours=12)
        if stage == "closed":
            app.closed_at, app.result, app.status = now - timedelta(hours=1), "按期完成，服务 320 人次", "closed"
        account = await ledger.open_account(
            session,
            district_id=district.id,
            owner_kind="organization",
            owner_ref=f"grants:project:{app.id}",
            unit="fen",
            name=f"公益创投项目：{app.title}"[:100],
        )
        left = app.award_fen
        met = {"signed": True, "midterm": stage in ("midterm", "closed"), "closed": stage == "closed"}
        for position, (pct, condition) in enumerate(zip((50, 30, 20), ("signed", "midterm", "closed"), strict=True), 1):
            amount = left if position == 3 else app.award_fen * pct // 100
            left -= amount
            tranche = Tranche(
                application_id=app.id, position=position, percent=pct, amount_fen=amount, condition=condition
            )
            session.add(tranche)
            await session.flush()
            if met[condition]:
                transfer = await ledger.move(
                    session,
                    district_id=district.id,
                    from_account=fund.id,
                    to_account=account.id,
                    amount=amount,
                    reason=f"公益创投拨付：{app.title} 第 {position} 笔（{pct}%）",
                    category="grants.tranche",
                    idempotency_key=f"grants:tranche:{tranche.id}",
                    created_by_id=staff,
                )
                tranche.transfer_id, tranche.released_at = transfer.id, now
    await session.flush()
