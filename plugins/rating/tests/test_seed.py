"""The demo data: ~30 rated organizations over four quarters, probation with an appeal, follow-ups open and
overdue, a grade in publicity; seeding twice adds nothing; it is fast."""

from __future__ import annotations

from sqlalchemy import func, select

from core.models import District, Person
from core.testing.cpu import thread_cpu
from plugins.rating import service
from plugins.rating.models import FollowUp, Grade, Rating, StandingStep
from plugins.rating.models_grades import GradeEvaluation
from plugins.rating.seed import seed_rating


def test_demo_seed_is_rich_idempotent_and_fast(world, seed, as_user):
    """Two runs: the first adds ratings quickly (bulk inserts), the second none; the dashboard's pieces are there."""

    async def run(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        session.add_all(
            [
                Person(district_id=district.id, name="陈立", phone="13605741234"),
                Person(district_id=district.id, name="黄美华", phone="13777812345"),
            ]
        )
        await session.flush()
        from core.db import for_district

        for_district(session, district.id)
        with thread_cpu() as cpu:  # this thread's CPU, the garbage collector paused
            first = await seed_rating(session, district)
        elapsed = cpu.seconds
        second = await seed_rating(session, district)
        orgs = (await session.execute(select(func.count(func.distinct(Rating.organization_id))))).scalar_one()
        steps = list((await session.execute(select(StandingStep))).scalars())
        open_fu = (await session.execute(select(func.count()).where(FollowUp.status == "open"))).scalar_one()
        grades = sorted((await session.execute(select(Grade.status))).scalars())
        grades += sorted((await session.execute(select(GradeEvaluation.status))).scalars())
        return first, second, elapsed, orgs, [(s.status, s.appeal_status) for s in steps], open_fu, grades

    first, second, elapsed, orgs, steps, open_fu, grades = seed(run)
    assert first > 300
    assert second == 0
    assert elapsed < 5  # ~0.3–0.6 s on an idle machine; a loose bound, the test machine is shared
    assert orgs >= 20
    assert ("probation", "pending") in steps
    assert ("honoured", "none") in steps
    assert open_fu > 0
    # grade results, then the evaluations: one confirmed, one in publicity, one waiting for the experts
    assert grades == ["confirmed", "publicity", "confirmed", "expert_scoring", "publicity"]

    async def ranking(ctx):
        rows = await service.ranking_for(ctx, service.Period.of(service.local_today()).previous)
        return sum(r.insufficient for r in rows), sum(r.rank is not None for r in rows)

    insufficient, ranked = as_user("worker", ranking)
    assert insufficient >= 1
    assert ranked >= 15
