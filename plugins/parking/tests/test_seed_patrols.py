"""The patrols' demo seed: fast, idempotent, a violation at each step and a dispute waiting for mediation."""

from __future__ import annotations

from sqlalchemy import select

from core.testing.cpu import thread_cpu
from plugins.parking.models_patrols import PatrolRound, PlateCheck, Violation
from plugins.parking.seed_patrols import seed_patrols
from plugins.parking.tests.support import adopt_convention, haishu


def test_patrol_seed_has_each_step_and_a_dispute_in_mediation_and_runs_once(world, seed):
    """Rounds with checks; warning, recorded, corrected, withdrawn, referred violations; quick; a rerun adds none."""
    seed(lambda s: adopt_convention(s, world))

    async def run(session):
        district = await haishu(session)
        with thread_cpu() as cpu:  # this thread's CPU, the garbage collector paused
            added = await seed_patrols(session, district)
        elapsed = cpu.seconds
        again = await seed_patrols(session, district)
        violations = list((await session.execute(select(Violation))).scalars())
        rounds = list((await session.execute(select(PatrolRound))).scalars())
        checks = list((await session.execute(select(PlateCheck))).scalars())
        return added, again, elapsed, violations, rounds, checks

    added, again, elapsed, violations, rounds, checks = seed(run)
    assert (added, again) == (9, 0)
    assert elapsed < 1.5, f"seeding patrols took {elapsed:.2f} s of CPU"
    assert len(rounds) == 4 and [r.ended_at is None for r in rounds].count(True) == 1
    assert len(checks) >= 24 and {c.result for c in checks} >= {"ok", "violation"}
    assert {v.status for v in violations} == {"open", "corrected", "disputed", "withdrawn", "referred"}
    assert {v.step for v in violations} == {"warning", "recorded"}  # no card in this world to suspend
    assert [v.ordinal for v in violations if v.plate == "浙B70002"] == [1, 2, 3]
