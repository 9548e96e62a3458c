"""The rota's demo seed: two weeks back and two ahead, done and missed shifts, open places ahead, quick, runs once."""

from __future__ import annotations

from datetime import timedelta

from core.testing.cpu import thread_cpu
from plugins.parking import rota
from plugins.parking.seed_patrols import seed_patrols
from plugins.parking.seed_rota import seed_rota
from plugins.parking.tests.support import adopt_convention, haishu


def test_rota_seed_has_done_missed_and_open_shifts_and_runs_once(world, seed):
    """After the patrols' seed: Mon/Wed/Fri evenings and Saturday mornings over 29 days, each past one done (a round
    with checks, one with a violation) but two missed; open places and a given-up place ahead; quick; runs once."""
    seed(lambda s: adopt_convention(s, world))

    async def run(session):
        district = await haishu(session)
        await seed_patrols(session, district)
        with thread_cpu() as cpu:  # this thread's CPU, the garbage collector paused
            added = await seed_rota(session, district)
        elapsed = cpu.seconds
        again = await seed_rota(session, district)
        today = rota.local(rota.utcnow()).date()
        views = await rota.shifts(session, world.estate, today - timedelta(days=14), today + timedelta(days=14))
        missed = await rota.missed_count(session, world.estate)
        return added, again, elapsed, views, missed

    added, again, elapsed, views, missed = seed(run)
    assert added == len(views) >= 14 and again == 0
    assert elapsed < 1.5, f"seeding the rota took {elapsed:.2f} s of CPU"
    statuses = [v.status for v in views]
    assert statuses.count("missed") == 2 == missed
    assert statuses.count("done") >= 3 and "planned" in statuses
    done = [v for v in views if v.status == "done"]
    assert all(v.rounds == 1 and v.checks >= 3 for v in done) and sum(v.violations for v in done) == 1
    ahead = [v for v in views if v.status == "planned"]
    assert sum(v.open_places for v in ahead) >= 2 and any(v.gave_up for v in ahead)
