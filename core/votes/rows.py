"""A vote's row: reading it, locking it for a writer, and the rules stored on it.

Below the lifecycle, the ballots and the results, which all start from the row.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from core.models.votes import Vote
from core.votes.errors import CrossDistrict, UnknownVote
from core.votes.rules import Rules, Threshold

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("THRESHOLD_NAMES", "check_district", "get_vote", "lock_vote", "rule_columns", "rules_of")

THRESHOLD_NAMES = ("quorum_heads", "quorum_weight", "pass_heads", "pass_weight")


def check_district(session: AsyncSession, district_id: int) -> None:
    """Refuse to work for ``district_id`` in a session bound to another district."""
    bound = session.info.get("district_id")
    if bound is not None and bound != district_id:
        raise CrossDistrict(
            f"会话属于另一个区（{bound}），不能操作区 {district_id} 的表决",
            f"the session belongs to district {bound}, not to district {district_id}",
        )


def rules_of(vote: Vote) -> Rules:
    """The :class:`Rules` stored on a vote row."""
    thresholds: dict[str, Threshold | None] = {}
    for name in THRESHOLD_NAMES:
        num, den, inclusive = (getattr(vote, f"{name}_{part}") for part in ("num", "den", "inclusive"))
        thresholds[name] = None if num is None else Threshold(Fraction(num, den), bool(inclusive))
    pass_heads = thresholds.pop("pass_heads")
    assert pass_heads is not None  # a check constraint requires it
    return Rules(vote.preset, pass_heads, base=vote.base, allow_change=vote.allow_change, **thresholds)  # type: ignore[arg-type]


def rule_columns(rules: Rules) -> dict[str, Any]:
    """The vote row's columns that store ``rules``."""
    columns: dict[str, Any] = {"preset": rules.preset, "base": rules.base, "allow_change": rules.allow_change}
    for name in THRESHOLD_NAMES:
        threshold: Threshold | None = getattr(rules, name)
        fraction = threshold.fraction if threshold else None
        columns[f"{name}_num"] = fraction.numerator if fraction is not None else None
        columns[f"{name}_den"] = fraction.denominator if fraction is not None else None
        columns[f"{name}_inclusive"] = threshold.inclusive if threshold else None
    return columns


async def get_vote(session: AsyncSession, vote_id: int) -> Vote:
    """The vote ``vote_id`` (in the session's district, if it is bound to one), or :class:`UnknownVote`."""
    vote = (await session.execute(select(Vote).where(Vote.id == vote_id))).scalar_one_or_none()
    if vote is None:
        raise UnknownVote(f"表决 #{vote_id} 不存在或不属于本区", f"vote #{vote_id} does not exist in this district")
    return vote


async def lock_vote(session: AsyncSession, vote_id: int) -> Vote:
    """The vote row, locked for the rest of the transaction (writers on one vote queue here)."""
    if session.get_bind().dialect.name == "sqlite":
        await session.execute(
            update(Vote).where(Vote.id == vote_id).values(status=Vote.status),
            execution_options={"synchronize_session": False},
        )
    query = select(Vote).where(Vote.id == vote_id).with_for_update().execution_options(populate_existing=True)
    vote = (await session.execute(query)).scalar_one_or_none()
    if vote is None:
        raise UnknownVote(f"表决 #{vote_id} 不存在或不属于本区", f"vote #{vote_id} does not exist in this district")
    return vote
