"""The demo data: 20 applications in every state, results and projects; a second run adds nothing; fast."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from core.db import for_district
from core.ledger import verify
from core.models import District
from plugins.grants.models import Application, Assignment, Tranche
from plugins.grants.seed import seed_grants


def test_seed_is_complete_idempotent_and_fast(world, seed):
    """First run: 20 applications, a detected conflict, funded projects with paid tranches, a clean ledger,
    well under 2 s; the second run adds nothing."""

    async def run(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        for_district(session, district.id)
        started = time.process_time()  # CPU time: a busy machine does not inflate it
        added = await seed_grants(session, district)
        took = time.process_time() - started
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
        for_district(session, None)
        return added, again, took, statuses, conflicts, paid, problems

    added, again, took, statuses, conflicts, paid, problems = seed(run)
    assert (added, again) == (20, 0)
    assert took < 2.0
    assert statuses["approved"] + statuses["closed"] == 10 and statuses["rejected"] == 5
    assert {"draft", "submitted", "more_info", "dismissed"} <= set(statuses)
    assert conflicts == 1
    assert paid == 5 + 1 + 2  # five signed, one also at mid-term, one closed with all three
    assert problems == []
