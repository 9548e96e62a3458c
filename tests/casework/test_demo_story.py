"""The demo's casework: the story of 林晓雨 worked for months with referrals, on intact timelines, seeded once."""

from __future__ import annotations

from sqlalchemy import select

from core.cases.timeline import verify_case_chain
from core.casework.demo import STORY_TITLE, seed_casework
from core.db import for_district
from core.models import District
from core.models.cases import Case, CaseEvent, CaseRead
from core.models.tasks import CaseTask
from core.web.context import context_for


def test_the_story_is_seeded_once_with_its_dates(world, seed, settings, host):
    """Six cases on four service lines; the story in 结案评估 with 13 service records and five referral tasks
    (four completed, each with its history sent → accepted → completed on the story's dates), its timeline
    from June to November with an intact hash chain; nothing logged as read; a second run adds nothing."""

    async def run(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)

        async def ctx_for(user):
            return await context_for(session, settings=settings, host=host, user=user, district=district)

        made = await seed_casework(session, district, ctx_for)
        again = await seed_casework(session, district, ctx_for)
        story = (await session.execute(select(Case).where(Case.title == STORY_TITLE))).scalar_one()
        events = (
            (await session.execute(select(CaseEvent).where(CaseEvent.case_id == story.id).order_by(CaseEvent.seq)))
            .scalars()
            .all()
        )
        lines = sorted((await session.execute(select(Case.data["service_line"].as_string()))).scalars())
        breaks = [
            await verify_case_chain(session, case_id) for case_id in (await session.execute(select(Case.id))).scalars()
        ]
        reads = (await session.execute(select(CaseRead.id))).all()
        tasks = (
            (await session.execute(select(CaseTask).where(CaseTask.case_id == story.id).order_by(CaseTask.created_at)))
            .scalars()
            .all()
        )
        return made, again, story, events, lines, breaks, reads, tasks

    made, again, story, events, lines, breaks, reads, tasks = seed(run)
    assert len(made) == 6 and again == []
    assert story.state == "review" and story.data["client_name"] == "林晓雨"
    assert len(story.data["service_records"]) == 13
    assert "referrals" not in story.data
    assert [(t.kind, t.partner, t.status) for t in tasks] == [
        ("referral", "宁波市第一医院康复科", "completed"),
        ("referral", "平桥社区居委会（助餐志愿队）", "accepted"),
        ("referral", "海曙区法律援助中心", "completed"),
        ("referral", "鼓楼街道民政办", "completed"),
        ("referral", "阳光心理咨询工作室", "completed"),
    ]
    rehab = tasks[0]
    assert (rehab.created_at.date().isoformat(), rehab.closed_at.date().isoformat()) == ("2026-06-22", "2026-09-30")
    assert rehab.outcome == "完成 12 次康复训练，可独立行走" and rehab.version == 3
    history = [
        (e.payload["action"], e.payload.get("to")) for e in events if e.kind == "task" and e.payload["task"] == rehab.id
    ]
    assert history == [("created", None), ("status", "accepted"), ("status", "completed")]
    assert [e.at.date().isoformat() for e in (events[0], events[-1])] == ["2026-06-08", "2026-11-20"]
    assert any(e.kind == "comment" for e in events)
    assert lines == ["correction", "disability", "elderly", "elderly", "youth", "youth"]
    assert breaks == [None] * 6
    assert reads == []
