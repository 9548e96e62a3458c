"""The demo's casework (个案工作): the story the field tells, and one or two cases on each service line.

The story: 林晓雨, 26, whose mother is in chemotherapy for breast cancer, is hurt in a car
accident (a broken leg) in June 2026; she cannot work or care for her mother, and the
driver's insurer disputes the claim. The social worker ``social`` takes the case at the
平桥 community, assesses needs, risks and strengths, sets goals, and works it for five
months with referrals to a hospital's rehabilitation clinic, legal aid, a counsellor, the
community's volunteers and the civil-affairs office (temporary assistance), recording
every visit; two reviews later the case is in its closing review. Each referral is a linked
task of the case (core.tasks) with its history: sent, accepted by the partner, completed
with its outcome, on the dates it happened.

Every step goes through the case service as the user whose step it is (permissions, SLA,
timeline are real); then the case's times and its timeline are set to the dates the story
happened, the hash chain recomputed link by link (``sanshe audit verify`` passes). Seeding
is not a read: the demo's lookups are not written to the read log. Idempotent: nothing is
added once the story's case exists.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.cases import service
from core.cases.timeline import event_hash
from core.i18n import TIMEZONE
from core.models import OrgUnit, User
from core.models.cases import Case, CaseEvent
from core.models.tasks import CaseTask
from core.tasks.service import change_status, create_task

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.context import RequestContext
    from core.models import District

__all__ = ("STORY_TITLE", "seed_casework")

STORY_TITLE = "林晓雨：车祸受伤，母亲癌症化疗中"
CLIENT = {
    "client_name": "林晓雨",
    "client_phone": "13967812345",
    "service_line": "youth",
    "presenting_problem": (
        "6月5日骑电动车被轿车撞倒，右腿胫骨骨折，卧床。母亲乳腺癌术后化疗中，父亲早逝，家中无人照料；"
        "服务对象在超市做收银，已停工无收入。肇事方保险公司对责任比例有异议，迟迟不赔付。"
    ),
}
ASSESSMENT = {
    "needs": (
        "康复训练与出行协助；母亲化疗期间的照料与送餐；交通事故赔偿的法律支持；经济困难的临时救助；焦虑失眠的心理支持。"
    ),
    "risks": "经济中断、母女两人同时需要照护；服务对象情绪低落、失眠，曾说“撑不下去”；母亲化疗副作用重。",
    "risk_level": "high",
    "strengths": "母女关系亲密；服务对象积极配合治疗；邻居和原单位同事愿意帮忙；社区有志愿者助餐队。",
}
GOALS = [
    {"goal": "三个月内恢复独立行走", "due": "2026-09-30", "status": "open"},
    {"goal": "获得交通事故合理赔偿", "due": "2026-11-30", "status": "open"},
    {"goal": "母亲化疗期间有稳定照料和送餐", "due": "2026-08-31", "status": "open"},
    {"goal": "情绪稳定，睡眠改善", "due": "2026-09-30", "status": "open"},
]


def _record(day: str, minutes: int, kind: str, note: str) -> dict[str, Any]:
    return {"date": day, "minutes": minutes, "kind": kind, "note": note}


def _referral(to: str, agency: str, reason: str, due: str = "") -> dict[str, Any]:
    """A referral task to create (sent at the step's time); ``due`` is set as the story had it."""
    return {"kind": "referral", "partner_kind": to, "partner": agency, "title": reason, "status": "sent", "due": due}


RECORDS = [
    _record("2026-06-08", 90, "home_visit", "首次家访，了解受伤经过和家庭情况，签署服务协议。"),
    _record("2026-06-15", 120, "home_visit", "完成需求、风险与优势评估，与母女共同讨论服务目标。"),
    _record("2026-06-22", 180, "accompany", "陪同到市第一医院康复科初诊，制定康复训练计划。"),
    _record("2026-06-25", 60, "office", "与法律援助中心律师面谈，整理事故认定书、医疗票据。"),
    _record("2026-07-03", 40, "phone", "电话回访：社区志愿者已开始每日送餐。"),
    _record("2026-07-10", 90, "home_visit", "服务对象失眠加重，情绪低落，转介心理咨询。"),
    _record("2026-07-24", 60, "home_visit", "康复训练第 5 次后可拄拐行走；临时救助申请材料已交民政办。"),
    _record("2026-08-12", 30, "phone", "临时救助 3000 元已到账。"),
    _record("2026-08-28", 90, "home_visit", "阶段评估前家访：情绪明显好转，母亲化疗第 6 疗程结束。"),
    _record("2026-09-15", 60, "office", "心理咨询 8 次结束，睡眠恢复；讨论返岗计划。"),
    _record("2026-09-30", 45, "home_visit", "康复训练结束，可独立行走。"),
    _record("2026-10-28", 120, "accompany", "陪同参加交通事故赔偿调解，达成协议。"),
    _record("2026-11-16", 60, "home_visit", "服务对象已返岗半天工作；母亲复查结果稳定。"),
]
REHAB = _referral("medical", "宁波市第一医院康复科", "骨折术后康复训练", "2026-09-30")
MEALS = _referral("community", "平桥社区居委会（助餐志愿队）", "母亲化疗期间送餐、陪同复诊", "2026-12-31")
LEGAL = _referral("legal", "海曙区法律援助中心", "交通事故赔偿纠纷", "2026-11-30")
COUNSEL = _referral("counselling", "阳光心理咨询工作室", "焦虑、失眠", "2026-09-30")
RELIEF = _referral("civil_affairs", "鼓楼街道民政办", "临时救助申请", "2026-08-31")


def _status(task: dict[str, Any], status: str, outcome: str = "") -> tuple[str, str, str]:
    """A status change of the task with ``task``'s title."""
    return (str(task["title"]), status, outcome)


REVIEWS = [
    {
        "date": "2026-08-31",
        "progress": "可拄拐行走，母亲照料有志愿者支持，情绪好转；赔偿尚在调解。",
        "decision": "continue",
    },
    {"date": "2026-11-20", "progress": "四项目标基本达成，赔偿到位，已部分返岗。", "decision": "close"},
]
SUPERVISION = "督导意见：风险已由高转中，注意服务对象返岗后的体力安排，赔偿到位前继续跟进。"

# (who, what, payload, when): the story's steps, each at the local time it happened.
# what: "step" (a transition key, or (key, data)), "edit" (changed fields), "comment", "task" (a
# referral to create, sent) or "status" (a referral's next status: its title, the status, the outcome).
Step = tuple[str, str, Any, str]
STORY: tuple[Step, ...] = (
    ("social", "step", "accept", "2026-06-09 09:30"),
    ("social", "edit", ASSESSMENT, "2026-06-15 16:00"),
    ("social", "edit", {"goals": GOALS, "service_records": RECORDS[:2]}, "2026-06-19 10:00"),
    ("social", "step", "plan", "2026-06-20 09:00"),
    ("social", "task", REHAB, "2026-06-22 11:00"),
    ("social", "status", _status(REHAB, "accepted"), "2026-06-23 10:00"),
    ("social", "task", MEALS, "2026-06-24 15:00"),
    ("social", "task", LEGAL, "2026-06-25 11:30"),
    ("social", "status", _status(MEALS, "accepted"), "2026-06-25 16:00"),
    ("social", "edit", {"service_records": RECORDS[:4]}, "2026-06-25 17:00"),
    ("social", "status", _status(LEGAL, "accepted"), "2026-06-28 10:00"),
    ("social", "task", RELIEF, "2026-07-01 10:00"),
    ("social", "status", _status(RELIEF, "accepted"), "2026-07-08 10:00"),
    ("social", "task", COUNSEL, "2026-07-10 17:30"),
    ("social", "edit", {"service_records": RECORDS[:6]}, "2026-07-10 18:00"),
    ("social", "status", _status(COUNSEL, "accepted"), "2026-07-13 10:00"),
    ("social", "status", _status(RELIEF, "completed", "获临时救助 3000 元"), "2026-08-12 14:30"),
    ("social", "edit", {"service_records": RECORDS[:8]}, "2026-08-12 15:00"),
    ("supervisor", "comment", SUPERVISION, "2026-08-31 11:00"),
    (
        "social",
        "edit",
        {"reviews": REVIEWS[:1], "risk_level": "medium", "service_records": RECORDS[:9]},
        "2026-08-31 16:00",
    ),
    ("social", "status", _status(COUNSEL, "completed", "8 次咨询后情绪稳定、睡眠改善"), "2026-09-15 17:00"),
    ("social", "status", _status(REHAB, "completed", "完成 12 次康复训练，可独立行走"), "2026-09-30 17:00"),
    ("social", "status", _status(LEGAL, "completed", "调解达成赔偿协议，获赔 8.6 万元"), "2026-10-28 18:00"),
    ("social", "edit", {"service_records": RECORDS}, "2026-11-16 17:30"),
    (
        "social",
        "edit",
        {"reviews": REVIEWS, "risk_level": "low", "goals": [{**g, "status": "achieved"} for g in GOALS]},
        "2026-11-20 10:00",
    ),
    ("social", "step", "to_review", "2026-11-20 10:05"),
)

MEALS_ALONE = _referral("community", "平桥社区助老服务站", "每日助餐", "2026-12-31")
RESPITE = _referral("community", "鼓楼街道居家养老服务中心", "喘息服务", "2026-04-10")
TRAINING = _referral("other", "海曙区就业服务中心", "技能培训报名", "2026-11-30")

# More cases, one or two per service line: (title, line, client, problem, opened, steps).
OTHERS: tuple[tuple[str, str, str, str, str, tuple[Step, ...]], ...] = (
    (
        "王阿婆：独居跌倒后的居家照护",
        "elderly",
        "王秀珍",
        "82 岁独居，9 月在家中跌倒，子女在外地，需要居家照护与紧急呼叫安排。",
        "2026-09-18 10:00",
        (
            ("social", "step", "accept", "2026-09-18 14:00"),
            (
                "social",
                "edit",
                {
                    "needs": "居家安全改造、助餐、紧急呼叫。",
                    "goals": [{"goal": "安装紧急呼叫器并每周探访", "status": "open"}],
                    "service_records": [_record("2026-09-20", 60, "home_visit", "家访评估居家安全。")],
                },
                "2026-09-21 16:00",
            ),
            ("social", "task", MEALS_ALONE, "2026-09-21 16:10"),
            ("social", "status", _status(MEALS_ALONE, "accepted"), "2026-09-23 09:00"),
            ("social", "step", "plan", "2026-09-22 09:00"),
        ),
    ),
    (
        "陈伯：失能老人照护者喘息服务",
        "elderly",
        "陈国强",
        "照顾失能老伴五年，身心疲惫，申请喘息服务。",
        "2026-03-02 09:00",
        (
            ("social", "step", "accept", "2026-03-02 15:00"),
            ("social", "task", RESPITE, "2026-03-12 10:00"),
            ("social", "status", _status(RESPITE, "accepted"), "2026-03-16 10:00"),
            ("social", "status", _status(RESPITE, "completed", "每月两次上门照护"), "2026-04-01 10:00"),
            (
                "social",
                "edit",
                {
                    "needs": "照护者喘息与照护技能培训。",
                    "goals": [{"goal": "每月两次喘息服务", "status": "achieved"}],
                    "service_records": [
                        _record("2026-03-10", 90, "home_visit", "评估照护负担。"),
                        _record("2026-05-20", 60, "group", "照护者支持小组。"),
                    ],
                },
                "2026-05-20 17:00",
            ),
            ("social", "step", "plan", "2026-05-21 09:00"),
            ("social", "step", "to_review", "2026-07-15 09:00"),
            (
                "social",
                "step",
                ("close", {"outcome": "goals_met", "closing_summary": "喘息服务稳定，照护者压力明显减轻。"}),
                "2026-07-20 10:00",
            ),
        ),
    ),
    (
        "小宇：自闭症儿童家庭康复支持",
        "disability",
        "李小宇",
        "7 岁自闭症儿童，家长希望获得康复训练资源与家庭支持。",
        "2026-11-25 10:00",
        (("social", "step", "accept", "2026-11-26 09:00"),),
    ),
    (
        "小林：社区矫正对象就业帮扶",
        "correction",
        "林某",
        "缓刑期社区矫正对象，求职屡次受挫，情绪波动。",
        "2026-10-08 10:00",
        (
            ("social", "step", "accept", "2026-10-08 15:00"),
            (
                "social",
                "edit",
                {
                    "needs": "就业技能与求职支持。",
                    "goals": [{"goal": "三个月内稳定就业", "status": "open"}],
                    "service_records": [_record("2026-10-15", 60, "office", "面谈，了解求职经历。")],
                },
                "2026-10-16 16:00",
            ),
            ("social", "task", TRAINING, "2026-10-16 16:10"),
            ("social", "step", "plan", "2026-10-17 09:00"),
        ),
    ),
    (
        "小杰：初中辍学青少年返校支持",
        "youth",
        "张杰",
        "15 岁，初二辍学在家两个月，沉迷网络游戏。",
        "2026-12-01 10:00",
        (),
    ),
)


def _at(text: str) -> datetime:
    day, clock = text.split(" ")
    # In UTC, as the database gives it back: the timeline's hashes are computed on it.
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), TIMEZONE).astimezone(UTC)


async def _play(ctx_of: Any, reference: str, steps: tuple[Step, ...], session: AsyncSession) -> list[datetime]:
    """Take ``steps`` on the case; the time of each event they made, in order.

    A referral's own times (sent, each change, closed) and its due date are set to the story's too.
    """
    times: list[datetime] = []
    for who, what, payload, when in steps:
        ctx = await ctx_of(who)
        case, definition = await service.get_case(ctx, reference, record=False)
        before = case.event_seq
        task: CaseTask | None = None
        if what == "step":
            key, data = payload if isinstance(payload, tuple) else (payload, None)
            await service.perform_transition(ctx, case, definition, key, data=data)
        elif what == "edit":
            await service.update_case(ctx, case, definition, lock_version=case.lock_version, changes=payload)
        elif what == "task":
            fields = {k: v for k, v in payload.items() if k != "due"}
            task = await create_task(ctx, case, definition, **fields)
            task.created_at = _at(when)
            task.due_on = date.fromisoformat(payload["due"]) if payload.get("due") else None
        elif what == "status":
            title, status, outcome = payload
            found = (
                await session.execute(select(CaseTask).where(CaseTask.case_id == case.id, CaseTask.title == title))
            ).scalar_one()
            task = await change_status(
                ctx, case, definition, found.id, status=status, version=found.version, outcome=outcome
            )
            if task.closed_at is not None:
                task.closed_at = _at(when)
        else:
            await service.comment(ctx, case, definition, payload)
        if task is not None:
            task.updated_at = _at(when)
            await session.flush()
        await session.refresh(case)
        times += [_at(when)] * (case.event_seq - before)
    return times


async def _backdate(session: AsyncSession, reference: str, times: list[datetime]) -> None:
    """Put the case and its timeline at the story's times, recomputing the hash chain in order."""
    case = (await session.execute(select(Case).where(Case.reference == reference))).scalar_one()
    events = (
        (await session.execute(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq)))
        .scalars()
        .all()
    )
    previous = events[0].prev_hash if events else ""
    for event, at in zip(events, times, strict=False):
        event.at = at
        event.prev_hash = previous
        event.hash = previous = event_hash(
            case_id=case.id,
            seq=event.seq,
            kind=event.kind,
            actor_id=event.actor_id,
            at=at,
            payload=event.payload,
            prev_hash=previous,
        )
    case.created_at, case.updated_at = times[0], times[-1]
    if not case.is_open:
        case.closed_at = times[-1]
    await session.flush()


async def seed_casework(session: AsyncSession, district: District, ctx_for: Any) -> list[str]:
    """File and work the demo's casework (``ctx_for(user)`` → a request context); the references made."""
    if (
        await session.execute(select(Case.id).where(Case.case_type_key == "casework", Case.title == STORY_TITLE))
    ).first():
        return []
    contexts: dict[str, RequestContext] = {}

    async def ctx_of(name: str) -> RequestContext:
        if name not in contexts:
            user = (await session.execute(select(User).where(User.username == name))).scalar_one()
            contexts[name] = await ctx_for(user)
        return contexts[name]

    social = await ctx_of("social")
    assert social.user is not None
    team = (await session.execute(select(OrgUnit.id).where(OrgUnit.code == "pingqiao"))).scalar_one()
    cases = [(STORY_TITLE, CLIENT, "2026-06-08 10:00", STORY)]
    for title, line, client, problem, opened, steps in OTHERS:
        cases.append(
            (title, {"client_name": client, "service_line": line, "presenting_problem": problem}, opened, steps)
        )
    made = []
    for title, data, opened, steps in cases:
        case = await service.create_case(
            social, "casework", title=title, data=data, channel="walk_in", team_id=team, assignee_id=social.user.id
        )
        await session.refresh(case)
        times = [_at(opened)] * case.event_seq + await _play(ctx_of, case.reference, steps, session)
        await _backdate(session, case.reference, times)
        made.append(case.reference)
    return made
