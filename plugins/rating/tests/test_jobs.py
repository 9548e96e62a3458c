"""The scheduled period evaluation (``rating.period_evaluation``): the quarter just ended, once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from core.models import District
from core.plugin_api import TIMEZONE, JobContext, Notification, for_district
from core.plugins import PluginHost
from core.scheduler.runner import registered_jobs
from plugins.rating import service
from plugins.rating.jobs import JOBS, evaluate_finished_period
from plugins.rating.models import StandingStep
from plugins.rating.models_process import PeriodEvaluation
from plugins.rating.tests.support import delivered


def _rate(world, as_user, period: service.Period) -> None:
    """Five 5-star ratings for 老年协会 and five 2-star ratings for 青少年 in ``period``."""

    async def run(ctx):
        day = datetime.combine(period.start + timedelta(days=10), datetime.min.time(), tzinfo=UTC)
        for org, stars in ((world.elderly, 5), (world.youth, 2)):
            for n in range(5):
                d = await delivered(ctx, org, world.li, when=day, reference=f"{period.key}:{org}:{n}")
                await service.submit_rating(ctx, d, stars=stars, channel="paper", now=day + timedelta(hours=1))

    as_user("worker", run)


def _run_job(seed, day: date):
    async def job(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        now = datetime(day.year, day.month, day.day, 1, 30, tzinfo=TIMEZONE)
        result = await evaluate_finished_period(JobContext(session, district, now, now, "rating.period_evaluation"))
        for_district(session, None)
        return result

    return seed(job)


def test_job_evaluates_the_quarter_just_ended_once(world, as_user, seed):
    """On 1 January the job evaluates 2026Q4 with the district's rules (老年协会 honoured, its leader notified;
    青少年 only bottom once: no probation), records it, and a second run (or the next day) decides nothing again; the
    evaluation staff start by hand for a period is recorded too, so the job then leaves that period alone."""
    assert "rating.period_evaluation" in registered_jobs(PluginHost.load(None, entry_points=False))
    assert JOBS[0].schedule.describe("zh_CN") == "每天 01:30（北京时间）"
    q3, q4 = service.Period.parse("2026Q3"), service.Period.parse("2026Q4")
    _rate(world, as_user, q4)
    first = _run_job(seed, date(2027, 1, 1))
    assert first.counts == {"steps": 1, "probation": 0, "removed": 0, "honoured": 1}
    assert first.message == "2026Q4 评定完成：观察期 0，移出名录 0，表彰 1"
    again = _run_job(seed, date(2027, 1, 2))
    assert again.counts == {"steps": 0} and "已评定" in again.message

    async def look(session):
        found = (await session.execute(select(StandingStep))).scalars()
        steps = [(s.organization_id, s.status, s.period) for s in found]
        done = [(e.period, e.source, e.steps) for e in (await session.execute(select(PeriodEvaluation))).scalars()]
        told = [n.kind for n in (await session.execute(select(Notification))).scalars()]
        return steps, done, told

    steps, done, told = seed(look)
    assert steps == [(world.elderly, "honoured", "2026Q4")]
    assert done == [("2026Q4", "job", 1)]
    assert told.count("rating.honoured") == 1

    # Staff evaluated Q3 by hand (the dashboard's button): recorded with who did it; a job on 1 October
    # would find it done.
    _rate(world, as_user, q3)
    as_user("worker", lambda ctx: service.evaluate_period(ctx, q3, today=date(2026, 10, 2)))
    assert "已评定" in _run_job(seed, date(2026, 10, 3)).message

    async def staff_record(session):
        row = (await session.execute(select(PeriodEvaluation).where(PeriodEvaluation.period == "2026Q3"))).scalar_one()
        return row.source, row.by_id

    assert seed(staff_record) == ("staff", world.users["worker"])
