"""Results of a vote, computed from its ballots and shows of hands only, shown as its secrecy allows.

A ``named`` vote shows live (provisional) results while open. ``hidden_until_close`` and
``anonymous`` votes return a *sealed* result until closed: turnout only, no tallies, no
outcome — a live tally of a secret vote would tell who voted what by watching it move.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from core.models.votes import VoteBallot, VoteElector, VoteHandCount
from core.votes.decide import Check, Outcome, decide
from core.votes.errors import WrongStatus
from core.votes.rows import get_vote, rules_of
from core.votes.tally import Ballot, OptionTally, count

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models.votes import Vote
    from core.votes.rules import Rules

__all__ = ("VoteResult", "results")


@dataclass(frozen=True)
class VoteResult:
    """A vote's result and the figures behind it.

    ``final``: the vote is closed. ``sealed``: secrecy hides tallies and outcome for now
    (``options``, ``checks`` empty; ``outcome`` ``None``). Weights are exact ``Decimal``;
    threshold fractions are in ``checks`` (``check.threshold.fraction``) and ``rules``.
    """

    vote_id: int
    method: str
    secrecy: str
    rules: Rules
    final: bool
    sealed: bool
    electorate_heads: int
    electorate_weight: Decimal
    participating_heads: int
    participating_weight: Decimal | None
    ballots: int
    hands: int
    blank_heads: int | None
    options: tuple[OptionTally, ...]
    checks: tuple[Check, ...]
    outcome: Outcome | None
    decided_by: str | None
    winners: tuple[str, ...]
    tied: tuple[str, ...]
    reason_zh: str
    reason_en: str

    @property
    def passed(self) -> bool:
        """Whether the vote is closed and passed."""
        return self.final and self.outcome is Outcome.PASSED


async def _ballots(session: AsyncSession, vote: Vote) -> list[Ballot]:
    if vote.secrecy == "anonymous":
        query = select(VoteBallot.choice).where(VoteBallot.vote_id == vote.id)
        return [Ballot(choice) for choice in (await session.execute(query)).scalars()]
    query = (
        select(VoteBallot.choice, VoteElector.weight)
        .join(VoteElector, VoteElector.id == VoteBallot.elector_id)
        .where(VoteBallot.vote_id == vote.id, VoteBallot.replaced_at.is_(None))
    )
    return [Ballot(choice, Decimal(weight)) for choice, weight in (await session.execute(query)).all()]


async def _turnout(session: AsyncSession, vote: Vote) -> int:
    query = (
        select(func.count())
        .select_from(VoteBallot)
        .where(VoteBallot.vote_id == vote.id, VoteBallot.replaced_at.is_(None))
    )
    return int((await session.execute(query)).scalar_one())


async def results(session: AsyncSession, vote_id: int) -> VoteResult:
    """The result of ``vote_id``: final once closed, provisional while a named vote is open, else sealed."""
    vote = await get_vote(session, vote_id)
    if vote.status == "draft":
        raise WrongStatus(f"表决 #{vote.id} 尚未开启，没有结果", f"vote #{vote.id} has not been opened", status="draft")
    rules = rules_of(vote)
    electorate = (int(vote.electorate_size or 0), Decimal(vote.electorate_weight or 0))
    final = vote.status == "closed"
    common: dict[str, Any] = {
        "vote_id": vote.id,
        "method": vote.method,
        "secrecy": vote.secrecy,
        "rules": rules,
        "final": final,
        "electorate_heads": electorate[0],
        "electorate_weight": electorate[1],
    }
    if not final and vote.secrecy != "named":
        ballots = await _turnout(session, vote)
        return VoteResult(
            **common,
            sealed=True,
            participating_heads=ballots + vote.hands_total,
            participating_weight=None,
            ballots=ballots,
            hands=vote.hands_total,
            blank_heads=None,
            options=(),
            checks=(),
            outcome=None,
            decided_by=None,
            winners=(),
            tied=(),
            reason_zh="结果在表决结束后公布",
            reason_en="results are sealed until the vote closes",
        )
    query = select(VoteHandCount.counts).where(VoteHandCount.vote_id == vote.id)
    hands = list((await session.execute(query)).scalars())
    tally = count(vote.method, list(vote.options), await _ballots(session, vote), hands)
    decision = decide(vote.method, rules, tally, electorate)
    return VoteResult(
        **common,
        sealed=False,
        participating_heads=tally.participating_heads,
        participating_weight=tally.participating_weight,
        ballots=tally.ballots,
        hands=tally.hands,
        blank_heads=tally.blank_heads,
        options=tally.options,
        checks=decision.checks,
        outcome=decision.outcome,
        decided_by=decision.decided_by,
        winners=decision.winners,
        tied=decision.tied,
        reason_zh=decision.reason_zh,
        reason_en=decision.reason_en,
    )
