"""Real parallel connections: 100 voters at once are each counted once; a double submission counts once;
closing while ballots arrive leaves every accepted ballot in the final result and none after it."""

from __future__ import annotations

import asyncio
import random
from collections import Counter

import pytest
from sqlalchemy import func, select

from core import votes
from core.db import create_engine, session_factory
from core.models.votes import VoteBallot, VoteParticipation
from tests.votes.conftest import new_vote, people, result


async def _parallel(database_url, jobs, connections):
    """Run each ``job(session)`` in its own connection and transaction, at most ``connections`` at once."""
    engine = create_engine(database_url, pool_size=connections, max_overflow=0)
    factory = session_factory(engine)
    gate = asyncio.Semaphore(connections)

    async def one(job):
        async with gate, factory() as session:
            try:
                outcome = await job(session)
            except votes.VoteError as exc:
                await session.rollback()
                return exc
            await session.commit()
            return outcome

    try:
        return await asyncio.gather(*(one(job) for job in jobs))
    finally:
        await engine.dispose()


def _connections(database_url, wanted):
    # SQLite has one writer at a time and waiters poll; a few connections prove the same there.
    return 8 if database_url.startswith("sqlite") else wanted


async def _open_then_wait(session, barrier):
    """Open the transaction before anyone votes, then wait for the others.

    SQLite's write transactions take the write lock at BEGIN IMMEDIATE (core.db.engine):
    only one can be open at a time, so there they start together and open in turn.
    """
    sqlite = session.get_bind().dialect.name == "sqlite"
    if barrier is not None and sqlite:
        await barrier.wait()
    await session.execute(select(1))
    if barrier is not None and not sqlite:
        await barrier.wait()


def _voter(vote_id, ref, choice, barrier=None, **kw):
    async def job(session):
        await _open_then_wait(session, barrier)
        return await votes.cast_ballot(session, vote_id, voter_ref=ref, choice=choice, **kw)

    return job


def _counts(db, vote_id):
    async def run(session):
        ballots = (await session.execute(select(func.count()).select_from(VoteBallot))).scalar_one()
        current = select(func.count()).select_from(VoteBallot).where(VoteBallot.replaced_at.is_(None))
        register = (await session.execute(select(func.count()).select_from(VoteParticipation))).scalar_one()
        return ballots, (await session.execute(current)).scalar_one(), register

    return db(run)


@pytest.mark.parametrize("secrecy", ["named", "anonymous"])
def test_a_hundred_voters_at_once_are_each_counted_once(db, world, database_url, secrecy):
    """100 electors vote in 100 parallel connections released together: 100 ballots, tallies as cast."""
    vote = new_vote(db, world, people(100), secrecy=secrecy)
    rng = random.Random(7)
    plan = {f"p{n}": rng.choice(["for", "against", "abstain"]) for n in range(100)}
    connections = _connections(database_url, 100)
    barrier = asyncio.Barrier(100) if connections == 100 else None
    jobs = [_voter(vote, ref, choice, barrier) for ref, choice in plan.items()]
    outcomes = db.run(_parallel(database_url, jobs, connections))
    assert all(isinstance(o, votes.BallotReceipt) for o in outcomes), {type(o) for o in outcomes}
    assert _counts(db, vote) == (100, 100, 100)
    res = db(lambda s: votes.close_vote(s, vote))
    expected = Counter(plan.values())
    assert [(o.option, o.heads) for o in res.options] == [(k, expected[k]) for k in ("for", "against", "abstain")]
    assert res.participating_heads == 100


@pytest.mark.parametrize("changeable", [False, True])
def test_one_voter_submitting_twice_at_once_is_counted_once(db, world, database_url, changeable):
    """The same voter in two parallel connections: one ballot counts (the other refused, or replaced it)."""
    rules = votes.Rules.simple_majority().changeable(changeable)
    vote = new_vote(db, world, people(3), rules=rules)
    barrier = asyncio.Barrier(2)
    jobs = [_voter(vote, "p0", "for", barrier), _voter(vote, "p0", "against", barrier)]
    outcomes = db.run(_parallel(database_url, jobs, 2))
    kinds = Counter(type(o).__name__ for o in outcomes)
    if changeable:
        assert kinds == {"BallotReceipt": 2}
        assert sorted(o.replaced for o in outcomes) == [False, True]
        assert _counts(db, vote) == (2, 1, 1)
    else:
        assert kinds == {"BallotReceipt": 1, "AlreadyVoted": 1}, outcomes
        assert _counts(db, vote) == (1, 1, 1)
    res = result(db, vote)
    assert res.participating_heads == 1 and res.options[0].heads + res.options[1].heads == 1


def test_closing_while_ballots_arrive_keeps_exactly_the_accepted_ones(db, world, database_url):
    """60 ballots race a close: those accepted are all in the final result; the rest are VoteNotOpen."""
    vote = new_vote(db, world, people(60))
    connections = _connections(database_url, 61)
    barrier = asyncio.Barrier(61) if connections == 61 else None
    jobs = [_voter(vote, f"p{n}", "for", barrier) for n in range(60)]

    async def closer(session):
        await _open_then_wait(session, barrier)
        await asyncio.sleep(0.01)
        return await votes.close_vote(session, vote)

    outcomes = db.run(_parallel(database_url, [*jobs[:30], closer, *jobs[30:]], connections))
    accepted = [o for o in outcomes if isinstance(o, votes.BallotReceipt)]
    refused = [o for o in outcomes if isinstance(o, votes.VoteError)]
    assert all(isinstance(r, votes.VoteNotOpen) for r in refused)
    assert len(accepted) + len(refused) == 60
    final = result(db, vote)
    assert final.final and final.ballots == len(accepted) == final.options[0].heads
