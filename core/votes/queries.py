"""Reading a vote's electorate, who has voted, and (where secrecy allows) who voted what."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.models.votes import VoteBallot, VoteElector, VoteParticipation
from core.votes.errors import ResultsSealed
from core.votes.rows import get_vote
from core.votes.voters import Voter

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("NamedBallot", "electorate", "has_voted", "named_ballots")


@dataclass(frozen=True)
class NamedBallot:
    """A ballot of a named vote: who, what, how, entered by whom, when, and whether it was replaced."""

    voter_ref: str
    choice: Any
    channel: str
    entered_by_id: int | None
    cast_at: datetime
    replaced_at: datetime | None


async def electorate(session: AsyncSession, vote_id: int) -> list[Voter]:
    """The frozen electorate of ``vote_id``, in the order it was given (empty for a draft)."""
    await get_vote(session, vote_id)
    query = select(VoteElector).where(VoteElector.vote_id == vote_id).order_by(VoteElector.id)
    rows = (await session.execute(query)).scalars()
    return [Voter(r.voter_ref, r.user_id, Decimal(r.weight) if "." in r.weight else int(r.weight)) for r in rows]


async def has_voted(session: AsyncSession, vote_id: int, voter_ref: str) -> bool:
    """Whether ``voter_ref`` has cast a ballot in ``vote_id`` (raised hands are not per voter)."""
    query = (
        select(VoteParticipation.elector_id)
        .join(VoteElector, VoteElector.id == VoteParticipation.elector_id)
        .where(VoteParticipation.vote_id == vote_id, VoteElector.voter_ref == voter_ref)
    )
    return (await session.execute(query)).first() is not None


async def named_ballots(session: AsyncSession, vote_id: int, *, include_replaced: bool = False) -> list[NamedBallot]:
    """Who voted what: named votes any time, ``hidden_until_close`` once closed, anonymous never."""
    vote = await get_vote(session, vote_id)
    if vote.secrecy == "anonymous" or (vote.secrecy == "hidden_until_close" and vote.status != "closed"):
        raise ResultsSealed(
            f"表决 #{vote.id} 的选票不公开（{vote.secrecy}）", f"the ballots of vote #{vote.id} are not shown"
        )
    query = (
        select(VoteElector.voter_ref, VoteBallot)
        .join(VoteElector, VoteElector.id == VoteBallot.elector_id)
        .where(VoteBallot.vote_id == vote.id)
        .order_by(VoteBallot.cast_at, VoteElector.voter_ref)
    )
    if not include_replaced:
        query = query.where(VoteBallot.replaced_at.is_(None))
    return [
        NamedBallot(ref, b.choice, b.channel or "", b.entered_by_id, b.cast_at, b.replaced_at)  # type: ignore[arg-type]
        for ref, b in (await session.execute(query)).all()
    ]
