"""The demo data: 24 applications in every state, 16 awards, projects; a second run adds nothing; fast."""

from __future__ import annotations

from sqlalchemy import func, select

from core.db import for_district
from core.ledger import verify
from core.models import District
from core.testing.cpu import thread_cpu
from plugins.grants.models import Application, Assignment, Call, Funder, Tranche
from plugins.grants.models_extra import GrantBudgetLine
from plugins.grants.seed import DEMO_CALL, seed_grants


def test_seed_is_complete_idempotent_and_fast(world, seed):
    """First run: 24 applications, 16 funded (as in 中山南区) within the call's budget and each category's, the
    lowest-scored three not funded, a detected conflict, funded projects with paid tranches and budget lines
    adding up to each project's funding, a clean ledger, well under 2 s; the second run adds nothing."""

    async def run(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        with thread_cpu() as cpu:  # this thread's CPU, the garbage collector paused
            added = await seed_grants(session, district)
        took = cpu.seconds
        again = await seed_grants(session, district)
        statuses = dict(
            (
                await session.execute(
                    select(Application.status, func.count(Application.id)).group_by(Application.status)
                )
            ).all()
        )
        conflicts = (
            await session.execute(select(func.count(Assignment.id)).where(Assignment.conflict != ""))
        ).scalar_one()
        paid = (
            await session.execute(select(func.count(Tranche.id)).where(Tranche.released_at.is_not(None)))
        ).scalar_one()
        problems = await verify(session, district_id=district.id)
        call = (await session.execute(select(Call).where(Call.title == DEMO_CALL))).scalar_one()
        apps = list((await session.execute(select(Application).where(Application.call_id == call.id))).scalars())
        funded = [a for a in apps if a.award_fen]
        by_category: dict[int, int] = {}
        for a in funded:
            by_category[a.category_id] = by_category.get(a.category_id, 0) + a.award_fen
        assert sum(by_category.values()) <= call.budget_fen
        assert all(total <= (c.budget_fen or 0) for c in call.categories if (total := by_category.get(c.id)))
        planned = dict(
            (
                await session.execute(
                    select(GrantBudgetLine.application_id, func.sum(GrantBudgetLine.planned_fen)).group_by(
                        GrantBudgetLine.application_id
                    )
                )
            )
            .tuples()
            .all()
        )
        co = dict(
            (
                await session.execute(
                    select(Funder.application_id, func.sum(Funder.committed_fen))
                    .where(Funder.kind != "district")
                    .group_by(Funder.application_id)
                )
            )
            .tuples()
            .all()
        )
        signed = [a for a in funded if a.signed_at]
        assert len(signed) == 5
        assert all(planned[a.id] == a.award_fen + a.own_contribution_fen + co.get(a.id, 0) for a in signed)
        for_district(session, None)
        return added, again, took, statuses, conflicts, paid, problems

    added, again, took, statuses, conflicts, paid, problems = seed(run)
    assert (added, again) == (24, 0)
    assert took < 2.0
    assert statuses["approved"] + statuses["closed"] == 16 and statuses["rejected"] == 3
    assert {"draft", "submitted", "more_info", "dismissed"} <= set(statuses)
    assert conflicts == 1
    assert paid == 5 + 1 + 2  # five signed, one also at mid-term, one closed with all three
    assert problems == []
