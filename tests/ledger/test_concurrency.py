"""Real parallel connections: limits hold under races, double clicks post once, 1,000 transfers stay consistent."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest
from sqlalchemy import func, select

from core import ledger
from core.db import create_engine, session_factory
from core.models.ledger import LedgerTransfer
from tests.ledger.conftest import balances, pay

pytestmark = pytest.mark.pgbouncer  # also through PgBouncer in transaction mode (core.testing.pgbouncer)


async def _parallel(database_url, jobs, connections):
    """Run each ``job(session)`` in its own connection and transaction, at most ``connections`` at once."""
    engine = create_engine(database_url, pool_size=connections, max_overflow=0)
    factory = session_factory(engine)
    gate = asyncio.Semaphore(connections)

    async def one(job):
        async with gate, factory() as session:
            try:
                result = await job(session)
            except ledger.LedgerError as exc:
                await session.rollback()
                return exc
            await session.commit()
            return result

    try:
        return await asyncio.gather(*(one(job) for job in jobs))
    finally:
        await engine.dispose()


def test_two_withdrawals_that_together_pass_the_limit_one_wins(db, world, database_url):
    """李阿姨 has 100 minutes; two 70-minute spends start together: exactly one succeeds, the other gets 余额不足."""
    pay(db, world, "pool", "li", 100, "fund")
    barrier = asyncio.Barrier(2)

    def spend(dst, key):
        async def job(session):
            if session.get_bind().dialect.name == "sqlite":
                # SQLite's write transactions take the lock at BEGIN IMMEDIATE: they open in turn.
                await barrier.wait()
                await session.execute(select(1))
            else:
                await session.execute(select(1))  # both transactions are open before either writes
                await barrier.wait()
            return await ledger.move(
                session,
                district_id=world["haishu"],
                from_account=world["li"],
                to_account=world[dst],
                amount=70,
                reason="兑换服务",
                idempotency_key=key,
                created_by_id=None,
            )

        return job

    results = db.run(_parallel(database_url, [spend("wang", "a"), spend("pool", "b")], connections=2))
    kinds = Counter(type(r).__name__ for r in results)
    assert kinds == {"LedgerTransfer": 1, "LimitExceeded": 1}, results
    assert balances(db, world["li"]) == [30]
    assert db(ledger.verify) == []


def test_a_double_click_in_parallel_posts_once(db, world, database_url):
    """The same verification submitted twice at the same moment credits the volunteer once."""
    barrier = asyncio.Barrier(2)

    async def credit(session):
        await barrier.wait()
        return await ledger.move(
            session,
            district_id=world["haishu"],
            from_account=world["pool"],
            to_account=world["wang"],
            amount=90,
            reason="服务核实",
            idempotency_key="verify:case:1",
            created_by_id=None,
        )

    first, second = db.run(_parallel(database_url, [credit, credit], connections=2))
    assert first.id == second.id
    assert balances(db, world["wang"]) == [90]

    async def transfers(session):
        return (await session.execute(select(func.count(LedgerTransfer.id)))).scalar_one()

    assert db(transfers) == 1


def test_a_thousand_parallel_transfers_stay_consistent(db, world, database_url):
    """1,000 random transfers over 20 connections (4 on SQLite): no deadlock, only limit refusals, verify clean."""
    district = world["haishu"]
    members = 30

    async def setup(session):
        ids = []
        for n in range(members):
            account = await ledger.open_account(
                session,
                district_id=district,
                owner_kind="person",
                owner_ref=f"member:{n}",
                unit="minutes",
                name=f"志愿者{n}",
                max_balance=600,
            )
            ids.append(account.id)
        await ledger.transfer(
            session,
            district_id=district,
            legs=[(world["pool"], -120 * members)] + [(i, 120) for i in ids],
            reason="开户赠送",
            idempotency_key="welcome",
            created_by_id=None,
        )
        return ids

    ids = db(setup)
    rng = random.Random(6)
    plan = []
    for n in range(1000):
        src, dst = rng.sample([*ids, world["pool"]], 2)
        plan.append((src, dst, rng.randint(1, 90), f"p{n}"))

    def job(src, dst, amount, key):
        async def run(session):
            return await ledger.move(
                session,
                district_id=district,
                from_account=src,
                to_account=dst,
                amount=amount,
                reason="并发",
                idempotency_key=key,
                created_by_id=None,
            )

        return run

    # SQLite has one writer at a time and no queue (waiters poll up to the busy timeout), so
    # fewer connections there; PostgreSQL gets the 20.
    connections = 4 if database_url.startswith("sqlite") else 20
    results = db.run(_parallel(database_url, [job(*p) for p in plan], connections=connections))
    refused = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(r, ledger.LimitExceeded) for r in refused), {type(r) for r in refused}
    assert len(refused) < len(plan)
    expected = Counter(dict.fromkeys(ids, 120))
    expected[world["pool"]] = -120 * members
    for (src, dst, amount, _), result in zip(plan, results, strict=True):
        if not isinstance(result, Exception):
            expected[src] -= amount
            expected[dst] += amount
    accounts = [*ids, world["pool"]]
    assert balances(db, *accounts) == [expected[i] for i in accounts]
    assert all(0 <= expected[i] <= 600 for i in ids)
    assert db(ledger.verify) == []
