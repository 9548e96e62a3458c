"""Demo data after the award (runs after ``seed.seed_grants``): reports in every state, evaluations, a
closed project with its grade, and an earlier call (2023) whose four projects closed two years ago and
were followed up ("3 of 4 still running two years later").

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
from plugins.grants.evaluation import DEFAULT_FORM, criteria_of, report_due_on
from plugins.grants.models import Application, Call, Funder, Tranche
from plugins.grants.models_evaluation import GrantEvaluation, GrantFollowUp, GrantOutcome, GrantReport
from plugins.grants.scoring import review_score
from plugins.grants.seed import DEMO_CALL, _call

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("PAST_CALL", "seed_evaluation")

PAST_CALL = "2023 年度海曙区公益创投大赛"
PAST = (  # title, grade, still running after one year, after two years
    ("社区长者助餐点", "excellent", True, True),
    ("青少年四点半学堂", "good", True, True),
    ("残障人士手工坊", "pass", True, True),
    ("小区垃圾分类督导", "fail", False, False),
)
SPENDING: list[dict[str, Any]] = [
    {"line": "人员劳务费", "fen": 2_400_000},
    {"line": "活动物料费", "fen": 1_150_000},
    {"line": "场地与宣传", "fen": 380_000},
]


def _at(day: date, hour: int = 2) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _report(app: Application, kind: str, status: str, submitted: date, **kw: Any) -> GrantReport:
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
        spending=SPENDING if kind == "midterm" else [{**s, "fen": s["fen"] * 2} for s in SPENDING],
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
        if app.closed_at is not None:
            rows += [
                _report(app, "midterm", "accepted", mid_due - timedelta(days=2), decided_by=staff),
                _report(app, "final", "accepted", utcnow().date() - timedelta(days=3), decided_by=staff),
                _evaluation(app, "midterm", expert, [8, 9, 9, 8], agency="宁波市社会组织评估中心"),
                _evaluation(app, "final", staff, [9, 9, 10, 9]),
                GrantOutcome(district_id=app.district_id, application_id=app.id, grade="excellent", note=app.result),
                *_follow_ups(app, app.closed_at.date(), None),
            ]
            app.result = f"优秀：{app.result}"
        elif app.midterm_accepted_at is not None:
            rows += [
                _report(app, "midterm", "accepted", mid_due + timedelta(days=11), decided_by=staff),
                _report(app, "final", "submitted", utcnow().date() - timedelta(days=1)),
                _evaluation(app, "midterm", expert, None, agency="宁波市社会组织评估中心"),
            ]
        elif not any(isinstance(r, GrantReport) and r.status == "returned" for r in rows):
            rows.append(
                _report(
                    app,
                    "midterm",
                    "returned",
                    mid_due,
                    message="支出明细缺少场地费票据，请补充后重新提交。",
                    decided_by=staff,
                )
            )
        elif not any(isinstance(r, GrantReport) and r.status == "submitted" and r.kind == "midterm" for r in rows):
            rows.append(_report(app, "midterm", "submitted", mid_due + timedelta(days=3)))
    session.add_all(rows)
    await _past_call(session, district, demo, staff)
    await session.flush()
    return len(rows)


async def _past_call(session: AsyncSession, district: District, demo: Call, staff: int | None) -> None:
    """The 2023 call: four projects closed in January 2024 with their grades, reports and follow-ups."""
    call = _call(PAST_CALL, -1100, -1070)
    call.created_by, call.decided_at = staff, utcnow() - timedelta(days=1050)
    session.add(call)
    await session.flush()
    orgs = list(
        (
            await session.execute(select(Application.organization_id).where(Application.call_id == demo.id).distinct())
        ).scalars()
    )
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
    for i, (title, grade, year1, year2) in enumerate(PAST):
        award = (10 + i * 2) * 1_000_000
        app = Application(
            district_id=district.id,
            call_id=call.id,
            organization_id=orgs[i % len(orgs)],
            category_id=call.categories[i % len(call.categories)].id,
            title=title,
            summary=f"{title}：2023 年度资助项目。",
            beneficiaries="辖区居民",
            requested_fen=award,
            own_contribution_fen=1_000_000,
            status="closed",
            decision="approved",
            award_fen=award,
            submitted_at=call.closes_at - timedelta(days=2),
            starts_on=date(2023, 2, 1),
            ends_on=date(2024, 1, 10),
            signed_at=_at(date(2023, 1, 20)),
            midterm_accepted_at=_at(date(2023, 7, 20)),
            closed_at=_at(closed),
            result=("优秀", "良好", "合格", "不合格")[i],
        )
        session.add(app)
        await session.flush()
        session.add(Funder(application_id=app.id, kind="district", name="区公益创投资金", committed_fen=award))
        session.add_all(
            [
                _report(app, "midterm", "accepted", date(2023, 7, 10 + i * 3), decided_by=staff),
                _report(app, "final", "accepted", date(2024, 1, 8), decided_by=staff),
                _evaluation(app, "final", staff, [9 - i, 9 - i, 9 - i * 2, 8 - i]),
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
