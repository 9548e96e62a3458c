"""Migration 3f6b8d2a9c14: casework referrals stored in the cases' data become linked tasks, and back, on both
backends."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from core.cases.service import create_case
from core.i18n import TIMEZONE
from core.models import User
from core.models.cases import Case
from core.models.tasks import CaseTask
from core.plugins.migrations import downgrade, migration_sets, upgrade_all

if TYPE_CHECKING:
    from core.context import RequestContext

BEFORE = "8c4d2e6f1a3b"
REFERRALS = [
    {
        "to": "medical",
        "agency": "宁波市第一医院康复科",
        "reason": "骨折术后康复训练",
        "sent_on": "2026-06-22",
        "status": "completed",
        "outcome": "完成 12 次康复训练",
        "closed_on": "2026-09-30",
    },
    {
        "to": "legal",
        "agency": "海曙区法律援助中心",
        "reason": "交通事故赔偿纠纷",
        "sent_on": "2026-06-25",
        "status": "accepted",
    },
    {
        "to": "counselling",
        "agency": "阳光心理咨询工作室",
        "reason": "焦虑、失眠",
        "sent_on": "2026-07-10",
        "status": "declined",
        "outcome": "已满员，改转其他机构",
        "closed_on": "2026-07-12",
    },
]


def _down(database_url, host, all_plugins_host):
    # The plugins' tables go first: they reference core tables newer than that revision.
    for migration_set in migration_sets(all_plugins_host):
        if migration_set.key != "core":
            asyncio.run(downgrade(database_url, "base", plugin=migration_set.key, host=all_plugins_host))
    asyncio.run(downgrade(database_url, BEFORE, host=host))


def _local(moment) -> str:
    return moment.astimezone(TIMEZONE).date().isoformat() if moment else ""


def test_referrals_become_tasks_and_come_back(world, as_user, seed, database_url, host, all_plugins_host):
    """Upgrade: each referral of a casework case's data is a task of kind referral (agency → partner, reason →
    title, category, status, outcome, sent and closed dates, the case's assignee following it) and the list leaves
    the data; a case without referrals is untouched. Downgrade: the same list is back in the data."""

    async def cases(ctx: RequestContext) -> list[str]:
        assert ctx.user is not None
        made = []
        for title in ("有转介", "无转介"):
            case = await create_case(
                ctx,
                "casework",
                title=title,
                data={"client_name": "林晓雨", "service_line": "youth", "presenting_problem": "车祸受伤"},
                channel="walk_in",
                assignee_id=ctx.user.id,
            )
            made.append(case.reference)
        return made

    with_referrals, without = as_user("social", cases)
    _down(database_url, host, all_plugins_host)

    async def put_back(session: Any) -> None:
        data = (await session.execute(select(Case.data).where(Case.reference == with_referrals))).scalar_one()
        stored = {**data, "referrals": [*REFERRALS, "not a referral"]}
        await session.execute(update(Case).where(Case.reference == with_referrals).values(data=stored))

    seed(put_back)
    asyncio.run(upgrade_all(database_url, host=host))

    async def after_upgrade(session: Any) -> tuple[Any, ...]:
        social = (await session.execute(select(User.id).where(User.username == "social"))).scalar_one()
        rows = (
            await session.execute(
                select(CaseTask, Case.reference).join(Case, Case.id == CaseTask.case_id).order_by(CaseTask.id)
            )
        ).all()
        datas = dict((await session.execute(select(Case.reference, Case.data))).tuples().all())
        return social, rows, datas

    social, rows, datas = seed(after_upgrade)
    assert [(t.kind, t.title, t.partner, t.partner_kind, t.status, t.outcome) for t, _ref in rows] == [
        ("referral", "骨折术后康复训练", "宁波市第一医院康复科", "medical", "completed", "完成 12 次康复训练"),
        ("referral", "交通事故赔偿纠纷", "海曙区法律援助中心", "legal", "accepted", ""),
        ("referral", "焦虑、失眠", "阳光心理咨询工作室", "counselling", "declined", "已满员，改转其他机构"),
    ]
    assert {ref for _t, ref in rows} == {with_referrals}
    assert [(_local(t.created_at), _local(t.closed_at)) for t, _ref in rows] == [
        ("2026-06-22", "2026-09-30"),
        ("2026-06-25", ""),
        ("2026-07-10", "2026-07-12"),
    ]
    assert {t.follower_id for t, _ref in rows} == {social} and {t.version for t, _ref in rows} == {1}
    assert "referrals" not in datas[with_referrals] and "referrals" not in datas[without]
    assert datas[with_referrals]["client_name"] == "林晓雨"

    _down(database_url, host, all_plugins_host)

    async def after_downgrade(session: Any) -> dict[str, Any]:
        return dict((await session.execute(select(Case.reference, Case.data))).tuples().all())

    datas = seed(after_downgrade)
    assert datas[with_referrals]["referrals"] == REFERRALS
    assert "referrals" not in datas[without]
    asyncio.run(upgrade_all(database_url, host=host))
