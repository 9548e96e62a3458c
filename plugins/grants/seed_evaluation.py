"""Demo data after the award (runs after ``seed.seed_grants``): reports in every state, evaluations, a
closed project with its grade, and the 2023 project-matching contest (项目对接大赛): 14 projects pitched to
the reviewers and the companies, 8 were funded — each adopted by a company (认捐) whose money is paid into
the project's account, two also with the city's matching programme — closed in January 2024 and followed
up: "5 of 8 still running two years later" (as 北京东风 reports).

The 2026 call's signed projects (see ``seed._awards``), in id order: the closed one gets accepted
mid-term and final reports, both evaluations and the grade 优秀; the one past its mid-term gets an
accepted (late) mid-term report, a final report waiting for staff and a mid-term evaluation given to
``expert``; of the three only signed, one has its mid-term report sent back, one waiting, one none.
Idempotent: nothing is added when the 2023 call exists.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.plugin_api import User, ledger, utcnow
from plugins.grants.evaluation import DEFAULT_FORM, GRADE_ZH, criteria_of, report_due_on
from plugins.grants.models import Application, Assignment, Call, Funder, Review, Tranche
from plugins.grants.models_evaluation import GrantEvaluation, GrantFollowUp, GrantOutcome, GrantReport
from plugins.grants.models_extra import GrantBudgetLine
from plugins.grants.scoring import review_score
from plugins.grants.seed import DEMO_CALL, _call, budget_lines
from plugins.grants.seed_extra import pay_co_funders

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("PAST_CALL", "seed_evaluation")

PAST_CALL = "2023 年度海曙区公益项目对接大赛"
PAST_DESCRIPTION = (
    "区公益创投资金与辖区企业共同出资：14 个社会组织项目现场路演，评审专家打分、企业代表认领，"
    "8 个项目获得资助，每个项目都有一家企业认捐配套资金。"
)
PITCHED = 14
PAST = (  # title, grade, still running after one year, after two years, the adopting company, its money (yuan)
    ("社区长者助餐点", "excellent", True, True, "宁波甬江银行海曙支行", 30_000),
    ("青少年四点半学堂", "good", True, True, "海曙区商贸集团有限公司", 20_000),
    ("残障人士手工坊", "pass", True, True, "宁波天一医药连锁有限公司", 15_000),
    ("小区垃圾分类督导", "fail", False, False, "宁波绿源环境科技有限公司", 10_000),
    ("楼道文化微空间", "good", True, True, "宁波月湖物业服务有限公司", 20_000),
    ("失独家庭陪伴计划", "excellent", True, True, "宁波港城建设集团海曙分公司", 25_000),
    ("外卖骑手驿站", "good", True, False, "海曙区餐饮商会", 15_000),
    ("社区议事能力培训", "pass", False, False, "宁波东风书店有限公司", 10_000),
)
PAST_UNFUNDED = ("社区共享工具屋", "银龄网购课堂", "亲子农场", "邻里调解志愿队", "老街记忆地图", "儿童友好步道")
MATCHING = "宁波市博爱 100 配套资金"  # the city's matching programme, for the two best projects


def _at(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _spending(lines: list[GrantBudgetLine], kind: str, over: bool) -> list[dict[str, Any]]:
    """Spending to date by the agreement's lines: 45 % of each at mid-term, 95 % at the end — or, with
    ``over``, the last line 6 % over its plan (within the call's 10 %: accepted and flagged)."""
    spent = []
    for i, b in enumerate(lines):
        pct = 45 if kind == "midterm" else 106 if over and i == len(lines) - 1 else 95
        spent.append({"line": b.line, "fen": b.planned_fen * pct // 100})
    return spent


def _report(
    app: Application,
    lines: list[GrantBudgetLine],
    kind: str,
    status: str,
    submitted: date,
    *,
    over: bool = False,
    **kw: Any,
) -> GrantReport:
    due = report_due_on(app, kind)
    people = 120 if kind == "midterm" else 320
    return GrantReport(
        district_id=app.district_id,
        application_id=app.id,
        kind=kind,
        status=status,
        indicators=f"服务老人 {people} 人次（目标 300）；志愿者培训 4 场；满意度 96%。",
        activities="每周二、四开展智能手机课堂；每月一次上门探访；组建 12 人志愿者队伍。",
        beneficiaries=people,
        spending=_spending(lines, kind, over),
        files=[],
        due_on=due,
        on_time=submitted <= due,
        first_submitted_at=_at(submitted),
        submitted_at=_at(submitted),
        submitted_by=app.created_by,
        decided_at=_at(submitted + timedelta(days=5)) if status != "submitted" else None,
        **kw,
    )


def _evaluation(app: Application, stage: str, evaluator: int | None, scores: list[int] | None, **kw: Any) -> Any:
    form = [dict(c) for c in DEFAULT_FORM]
    given = {str(i): s for i, s in enumerate(scores or [], 1)}
    score = review_score(criteria_of(form), given) if scores else None
    return GrantEvaluation(
        district_id=app.district_id,
        application_id=app.id,
        stage=stage,
        evaluator_id=evaluator,
        criteria=form,
        scores=given,
        score_x100=round(score * 100) if score is not None else None,
        comment="项目执行规范，服务对象反馈良好；建议加强过程记录。" if scores else "",
        submitted_at=utcnow() - timedelta(days=3) if scores else None,
        **kw,
    )


def _follow_ups(app: Application, closed: date, answers: tuple[bool, bool] | None) -> list[GrantFollowUp]:
    rows = []
    for year in (1, 2):
        due = closed.replace(year=closed.year + year)
        running = answers[year - 1] if answers else None
        rows.append(
            GrantFollowUp(
                district_id=app.district_id,
                application_id=app.id,
                year=year,
                due_on=due,
                running=running,
                note=("项目由街道社工站接续运营。" if running else "资金结束后停止。") if answers else "",
                answered_at=_at(due - timedelta(days=3)) if answers else None,
            )
        )
    return rows


async def seed_evaluation(session: AsyncSession, district: District) -> int:
    """Add the demo's reports, evaluations, outcomes and follow-ups (once)."""
    if (await session.execute(select(Call.id).where(Call.title == PAST_CALL))).first() is not None:
        return 0
    demo = (await session.execute(select(Call).where(Call.title == DEMO_CALL))).scalar_one_or_none()
    if demo is None:
        return 0
    users = {str(name): int(uid) for name, uid in (await session.execute(select(User.username, User.id))).all()}
    staff, expert = users.get("grants-staff"), users.get("expert")
    signed = list(
        (
            await session.execute(
                select(Application)
                .where(Application.call_id == demo.id, Application.signed_at.is_not(None))
                .order_by(Application.id)
            )
        ).scalars()
    )
    rows: list[Any] = []
    for app in signed:
        mid_due = report_due_on(app, "midterm")
        lines = await _lines(session, app.id)
        if app.closed_at is not None:
            rows += [
                _report(app, lines, "midterm", "accepted", mid_due - timedelta(days=2), decided_by=staff),
                _report(app, lines, "final", "accepted", utcnow().date() - timedelta(days=3), decided_by=staff),
                _evaluation(app, "midterm", expert, [8, 9, 9, 8], agency="宁波市社会组织评估中心"),
                _evaluation(app, "final", staff, [9, 9, 10, 9]),
                GrantOutcome(district_id=app.district_id, application_id=app.id, grade="excellent", note=app.result),
                *_follow_ups(app, app.closed_at.date(), None),
            ]
            app.result = f"优秀：{app.result}"
        elif app.midterm_accepted_at is not None:
            rows += [
                _report(app, lines, "midterm", "accepted", mid_due + timedelta(days=11), decided_by=staff),
                _report(app, lines, "final", "submitted", utcnow().date() - timedelta(days=1), over=True),
                _evaluation(app, "midterm", expert, None, agency="宁波市社会组织评估中心"),
            ]
        elif not any(isinstance(r, GrantReport) and r.status == "returned" for r in rows):
            rows.append(
                _report(
                    app,
                    lines,
                    "midterm",
                    "returned",
                    mid_due,
                    message="支出明细缺少场地费票据，请补充后重新提交。",
                    decided_by=staff,
                )
            )
        elif not any(isinstance(r, GrantReport) and r.status == "submitted" and r.kind == "midterm" for r in rows):
            rows.append(_report(app, lines, "midterm", "submitted", mid_due + timedelta(days=3)))
    session.add_all(rows)
    await _past_call(session, district, demo, staff)
    await session.flush()
    return len(rows)


async def _lines(session: AsyncSession, application_id: int) -> list[GrantBudgetLine]:
    query = select(GrantBudgetLine).where(GrantBudgetLine.application_id == application_id)
    return list((await session.execute(query.order_by(GrantBudgetLine.position))).scalars())


async def _past_call(session: AsyncSession, district: District, demo: Call, staff: int | None) -> None:
    """The 2023 matching contest: 14 projects pitched and scored, 8 funded with a company each (two also with
    the city's matching money), closed in January 2024 with their grades, reports, follow-ups."""
    call = _call(PAST_CALL, -1100, -1070)
    call.description = PAST_DESCRIPTION
    call.created_by, call.decided_at = staff, utcnow() - timedelta(days=1050)
    session.add(call)
    await session.flush()
    orgs = list(
        (
            await session.execute(select(Application.organization_id).where(Application.call_id == demo.id).distinct())
        ).scalars()
    )
    reviewers = list((await session.execute(select(User.id).where(User.username.like("reviewer%")))).scalars())
    fund = await ledger.open_account(
        session,
        district_id=district.id,
        owner_kind="system",
        owner_ref="grants:fund",
        unit="fen",
        name="公益创投资金",
        min_balance=None,
    )
    closed = date(2024, 1, 15)
    pitched = [(p[0], p) for p in PAST] + [(title, None) for title in PAST_UNFUNDED]
    assert len(pitched) == PITCHED
    co_funders: list[Funder] = []
    for i, (title, funded) in enumerate(pitched):
        award = (10 + i % 4 * 2) * 1_000_000
        app = Application(
            district_id=district.id,
            call_id=call.id,
            organization_id=orgs[i % len(orgs)],
            category_id=call.categories[i % len(call.categories)].id,
            title=title,
            summary=f"{title}：2023 年项目对接大赛路演项目，为期一年。",
            beneficiaries="辖区居民",
            requested_fen=award,
            own_contribution_fen=1_000_000,
            status="closed" if funded else "rejected",
            decision="approved" if funded else "rejected",
            decision_message="获得资助。" if funded else "路演评分未进入资助名单，未获资助。",
            award_fen=award if funded else None,
            submitted_at=call.closes_at - timedelta(days=2),
            screening=dict.fromkeys(call.screening_items, True),
        )
        session.add(app)
        await session.flush()
        # The pitch: three reviewers scored every project; the funded ones scored higher.
        for n, reviewer in enumerate(reviewers[:3]):
            base = 8 if funded else 5
            scores = {str(c.id): min(10, base + (i + n + k) % 3) for k, c in enumerate(call.criteria)}
            session.add(Assignment(district_id=district.id, application_id=app.id, reviewer_id=reviewer))
            session.add(
                Review(
                    district_id=district.id,
                    application_id=app.id,
                    reviewer_id=reviewer,
                    scores=scores,
                    comments={
                        str(call.criteria[0].id): "路演表现清楚，企业代表有认领意向。" if funded else "需求论证不足。"
                    },
                    submitted_at=call.closes_at + timedelta(days=3),
                )
            )
        if funded is None:
            continue
        _title, grade, year1, year2, company, company_yuan = funded
        app.starts_on, app.ends_on = date(2023, 2, 1), date(2024, 1, 10)
        app.signed_at, app.midterm_accepted_at, app.closed_at = (
            _at(date(2023, 1, 20)),
            _at(date(2023, 7, 20)),
            _at(closed),
        )
        app.result = GRADE_ZH[grade]
        funders = [
            Funder(
                district_id=district.id,
                application_id=app.id,
                kind="district",
                name="区公益创投资金",
                committed_fen=award,
            ),
            Funder(
                district_id=district.id,
                application_id=app.id,
                kind="company",
                name=company,
                committed_fen=company_yuan * 100,
            ),
        ]
        if grade == "excellent":
            funders.append(
                Funder(
                    district_id=district.id,
                    application_id=app.id,
                    kind="matching",
                    name=MATCHING,
                    committed_fen=1_000_000,
                )
            )
        session.add_all(funders)
        co_funders += funders[1:]
        lines = budget_lines(
            app.id, district.id, award + app.own_contribution_fen + sum(f.committed_fen for f in funders[1:])
        )
        session.add_all(lines)
        session.add_all(
            [
                _report(app, lines, "midterm", "accepted", date(2023, 7, 10 + i * 2), decided_by=staff),
                _report(app, lines, "final", "accepted", date(2024, 1, 8), decided_by=staff),
                _evaluation(app, "final", staff, [9 - i % 4, 9 - i % 4, 9 - i % 4 * 2, 8 - i % 4]),
                GrantOutcome(district_id=district.id, application_id=app.id, grade=grade, note=""),
                *_follow_ups(app, closed, (year1, year2)),
            ]
        )
        account = await ledger.open_account(
            session,
            district_id=district.id,
            owner_kind="organization",
            owner_ref=f"grants:project:{app.id}",
            unit="fen",
            name=f"公益创投项目：{title}",
        )
        left, paid, tranches = award, 0, []
        for position, (pct, condition) in enumerate(zip((50, 30, 20), ("signed", "midterm", "closed"), strict=True), 1):
            amount = left if position == 3 else award * pct // 100
            left -= amount
            released = not (condition == "closed" and grade == "fail")  # a failed project's last is not paid
            paid += amount if released else 0
            tranches.append(
                Tranche(
                    application_id=app.id,
                    position=position,
                    percent=pct,
                    amount_fen=amount,
                    condition=condition,
                    released_at=_at(closed) if released else None,
                )
            )
        # One transfer per project for the tranches paid back then (a demo shortcut: fewer ledger postings).
        transfer = await ledger.move(
            session,
            district_id=district.id,
            from_account=fund.id,
            to_account=account.id,
            amount=paid,
            reason=f"公益创投拨付：{title}（2023 年度，{'两' if grade == 'fail' else '三'}笔合计）",
            category="grants.tranche",
            idempotency_key=f"grants:demo-2023:{app.id}",
            created_by_id=staff,
        )
        for tranche in tranches:
            tranche.transfer_id = transfer.id if tranche.released_at else None
        session.add_all(tranches)
    await session.flush()
    await pay_co_funders(session, district, co_funders, staff)
