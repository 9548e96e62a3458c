"""Migrating open cases of version 1 onto version 2 with a state mapping: checks, events, crash and resume."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.builder import migrate
from core.cases import service as cases
from core.models.cases import Case, CaseEvent, CaseTypeVersion


def target(ctx, version_id):
    return ctx.session.get(CaseTypeVersion, version_id)


def test_every_state_with_open_cases_must_be_mapped(as_user, two_versions):
    """Leaving 'applied' unmapped, or mapping it to a state v2 lacks, is refused naming the state."""
    _refs, v2 = two_versions

    async def run(ctx):
        row = await target(ctx, v2)
        states = await migrate.open_states(ctx.session, ctx.district, row)
        with pytest.raises(migrate.MigrationError) as missing:
            await migrate.check_mapping(ctx.session, ctx.district, row, {"assessed": "assessed"})
        with pytest.raises(migrate.MigrationError) as wrong:
            await migrate.check_mapping(ctx.session, ctx.district, row, {"applied": "applied", "assessed": "assessed"})
        return states, set(missing.value.problems), set(wrong.value.problems)

    states, missing, wrong = as_user("dadmin", run)
    assert states == {"applied": 2, "assessed": 1}
    assert missing == {"applied"} and wrong == {"applied"}


def test_leaving_cases_is_the_default(as_user, two_versions):
    """Without a migration, old cases stay on v1 and progress shows all three still to move."""
    _refs, v2 = two_versions

    async def run(ctx):
        p = await migrate.progress(ctx.session, ctx.district, await target(ctx, v2))
        return p.total, p.remaining, p.percent

    assert as_user("dadmin", run) == (3, 3, 0)


def test_a_crash_mid_way_changes_nothing_of_that_case_and_a_rerun_resumes(as_user, two_versions):
    """One case moves, a crash on the next leaves it untouched, the rerun finishes; one event per case."""
    refs, v2 = two_versions
    mapping = {"applied": "received", "assessed": "assessed"}

    async def first(ctx):
        return await migrate.migrate_batch(
            ctx.session, ctx.district, await target(ctx, v2), mapping, actor_id=None, limit=1
        )

    assert as_user("dadmin", first) == 1

    def crash(case):
        raise RuntimeError("power cut")

    async def crashing(ctx):
        await migrate.migrate_batch(
            ctx.session, ctx.district, await target(ctx, v2), mapping, actor_id=None, fail=crash
        )

    with pytest.raises(RuntimeError):
        as_user("dadmin", crashing)

    async def state(ctx):
        rows = (await ctx.session.execute(select(Case).order_by(Case.id))).scalars()
        p = await migrate.progress(ctx.session, ctx.district, await target(ctx, v2))
        return [(c.state, c.case_type_version_id == v2) for c in rows], p.remaining

    after_crash, remaining = as_user("dadmin", state)
    assert after_crash == [("received", True), ("applied", False), ("assessed", False)] and remaining == 2

    async def resume(ctx):
        return await migrate.migrate_batch(ctx.session, ctx.district, await target(ctx, v2), mapping, actor_id=None)

    assert as_user("dadmin", resume) == 2
    done, remaining = as_user("dadmin", state)
    assert done == [("received", True), ("received", True), ("assessed", True)] and remaining == 0

    async def events(ctx):
        rows = (await ctx.session.execute(select(CaseEvent).where(CaseEvent.kind == "migrated"))).scalars()
        return sorted((e.case_id, e.payload["from"], e.payload["to"], e.payload["removed"]) for e in rows)

    found = as_user("dadmin", events)
    assert len(found) == 3 and len({e[0] for e in found}) == 3
    assert ("applied", "received", {"diet_note": "少盐"}) in [e[1:] for e in found]

    async def worker_moves(ctx):
        case, definition = await cases.get_case(ctx, refs[0])
        await cases.perform_transition(ctx, case, definition, "assess")
        return case.state, case.data.get("diet_note")

    assert as_user("worker", worker_moves) == ("assessed", None)
