"""Two districts, staff users, and helpers that create, open, vote and count in their own transactions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import update

from core import votes
from core.db.base import utcnow
from core.models.votes import Vote
from core.testing.factories import make_district, make_user
from tests.dbrunner import Db

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.ext.asyncio import AsyncSession


@pytest.fixture
def db(database_url: str) -> Iterator[Db]:
    """A transaction runner on the test database."""
    runner = Db(database_url)
    try:
        yield runner
    finally:
        runner.close()


@pytest.fixture
def world(db: Db) -> dict[str, int]:
    """海曙区 and 鄞州区, a secretary and a clerk in 海曙."""

    async def build(session: AsyncSession) -> dict[str, int]:
        haishu = await make_district(session, "haishu", "海曙区", ref_prefix="HS")
        yinzhou = await make_district(session, "yinzhou", "鄞州区", ref_prefix="YZ")
        secretary = await make_user(session, "secretary", district=haishu, roles=("district_admin",))
        clerk = await make_user(session, "clerk", district=haishu, roles=("district_admin",))
        return {"haishu": haishu.id, "yinzhou": yinzhou.id, "secretary": secretary.id, "clerk": clerk.id}

    return db(build)


def people(n: int, prefix: str = "p") -> list[votes.Voter]:
    """``n`` voters of weight 1: ``p0``, ``p1``…"""
    return [votes.Voter(f"{prefix}{i}") for i in range(n)]


def households(*areas: str | int) -> list[votes.Voter]:
    """One household per floor area (m², exact decimal text or int): ``h0``, ``h1``…"""
    return [votes.Voter(f"h{i}", None, Decimal(a) if isinstance(a, str) else a) for i, a in enumerate(areas)]


def new_vote(
    db: Db,
    world: dict[str, int],
    electorate: list[votes.Voter],
    *,
    method: str = "for_against_abstain",
    options: list[str] | None = None,
    rules: votes.Rules | None = None,
    secrecy: str = "named",
    max_choices: int | None = None,
    open_: bool = True,
) -> int:
    """Create (and open) a vote in 海曙 whose window runs from a minute ago to an hour from now."""

    async def run(session: AsyncSession) -> int:
        now = utcnow()
        vote = await votes.create_vote(
            session,
            district_id=world["haishu"],
            subject_ref="council_topic:1",
            title="偃月小区停车公约",
            method=method,
            options=options,
            rules=rules or votes.Rules.simple_majority(),
            secrecy=secrecy,
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(hours=1),
            created_by_id=world["secretary"],
            max_choices=max_choices,
        )
        if open_:
            await votes.open_vote(session, vote.id, electorate)
        return vote.id

    return db(run)


def cast(db: Db, vote_id: int, voter_ref: str, choice: Any, **kw: Any) -> Any:
    """Cast one ballot in its own transaction."""

    async def run(session: AsyncSession) -> Any:
        return await votes.cast_ballot(session, vote_id, voter_ref=voter_ref, choice=choice, **kw)

    return db(run)


def cast_many(db: Db, vote_id: int, choices: dict[str, Any]) -> None:
    """Cast ``{voter_ref: choice}`` online, all in one transaction."""

    async def run(session: AsyncSession) -> None:
        for ref, choice in choices.items():
            await votes.cast_ballot(session, vote_id, voter_ref=ref, choice=choice)

    db(run)


def close(db: Db, vote_id: int) -> votes.VoteResult:
    """Close the vote and return its final result."""
    return db(lambda session: votes.close_vote(session, vote_id))


def result(db: Db, vote_id: int) -> votes.VoteResult:
    """The vote's result as :func:`core.votes.results` shows it now."""
    return db(lambda session: votes.results(session, vote_id))


def shift_window(db: Db, vote_id: int, opens_in: timedelta, closes_in: timedelta) -> None:
    """Move the vote's window relative to now (as if time had passed)."""

    async def run(session: AsyncSession) -> None:
        now = utcnow()
        await session.execute(
            update(Vote).where(Vote.id == vote_id).values(opens_at=now + opens_in, closes_at=now + closes_in)
        )

    db(run)
