"""Concurrent writers: reference numbers never repeat, two editors never both win."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from core.cases import service
from core.cases.errors import StaleCase
from core.db import create_engine, session_factory
from core.models import District, User
from core.web.context import context_for
from tests.cases.conftest import RESIDENT_REQUEST

pytestmark = pytest.mark.pgbouncer  # also through PgBouncer in transaction mode (core.testing.pgbouncer)

PARALLEL = 12


def run_parallel(database_url, settings, host, jobs):
    """Run each ``job(ctx)`` in its own connection and transaction, all at once."""

    async def main():
        engine = create_engine(database_url)
        factory = session_factory(engine)

        async def one(username, job):
            async with factory() as session:
                user = (await session.execute(select(User).where(User.username == username))).scalar_one()
                district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
                ctx = await context_for(session, settings=settings, host=host, user=user, district=district)
                try:
                    result = await job(ctx)
                    await session.commit()
                    return result
                except Exception as exc:  # noqa: BLE001 - the test inspects what each writer got
                    await session.rollback()
                    return exc

        try:
            return await asyncio.gather(*(one(username, job) for username, job in jobs))
        finally:
            await engine.dispose()

    return asyncio.run(main())


def test_parallel_creation_never_repeats_a_reference(world, database_url, settings, host):
    """Twelve cases created at the same moment get twelve different, consecutive references."""

    async def create(ctx):
        case = await service.create_case(ctx, "resident_request", title="并发", data=RESIDENT_REQUEST, channel="web")
        return case.reference

    references = run_parallel(database_url, settings, host, [("worker", create)] * PARALLEL)
    assert all(isinstance(r, str) for r in references), references
    numbers = sorted(int(r[-6:]) for r in references)
    assert numbers == list(range(1, PARALLEL + 1))


def test_parallel_edits_one_wins(world, database_url, settings, host, as_user):
    """Editors who all loaded version 1 save at once: exactly one succeeds, the rest get 409."""

    async def create(ctx):
        case = await service.create_case(
            ctx, "resident_request", title="并发编辑", data=RESIDENT_REQUEST, channel="web"
        )
        return case.reference

    reference = as_user("worker", create)

    def edit(n):
        async def job(ctx):
            case, definition = await service.get_case(ctx, reference)
            return await service.update_case(ctx, case, definition, lock_version=1, changes={"address": f"{n} 号"})

        return job

    results = run_parallel(database_url, settings, host, [("worker", edit(n)) for n in range(6)])
    winners = [r for r in results if isinstance(r, dict)]
    losers = [r for r in results if isinstance(r, StaleCase)]
    assert len(winners) == 1, results
    assert len(losers) == 5, results
