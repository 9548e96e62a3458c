"""A vote's life: created as a draft, opened with its electorate frozen, closed with its outcome stored.

Every function works in the caller's transaction. Writers lock the vote row first
(``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite a no-op ``UPDATE`` takes the single
write lock before anything is read), so a ballot, a show of hands and the closing of one
vote never interleave: each sees what the one before it committed.
"""

from __future__ import annotations

import random
import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from core.db.base import utcnow
from core.models.votes import SECRECIES, Vote, VoteBallot, VoteElector
from core.votes.choices import check_options, weight_text
from core.votes.errors import InvalidElectorate, InvalidRequest, VoteNotOpen, WrongStatus
from core.votes.results import results
from core.votes.rows import check_district, get_vote, lock_vote, rule_columns, rules_of
from core.votes.rules import Rules
from core.votes.voters import Voter, total_weight

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.votes.results import VoteResult

__all__ = ("close_vote", "create_vote", "get_vote", "lock_vote", "open_vote", "rules_of")


def _check_window(opens_at: datetime, closes_at: datetime) -> None:
    for value in (opens_at, closes_at):
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise InvalidRequest("开始和截止时间必须是带时区的时间", "opens_at and closes_at must be timezone-aware")
    if closes_at <= opens_at:
        raise InvalidRequest("截止时间必须晚于开始时间", "closes_at must be after opens_at")


async def create_vote(
    session: AsyncSession,
    *,
    district_id: int,
    subject_ref: str,
    title: str,
    method: str,
    options: list[str] | None,
    rules: Rules,
    secrecy: str,
    opens_at: datetime,
    closes_at: datetime,
    created_by_id: int | None,
    max_choices: int | None = None,
) -> Vote:
    """Create a vote as a draft (no electorate yet; :func:`open_vote` freezes one)."""
    check_district(session, district_id)
    if not subject_ref or len(subject_ref) > 120 or not title.strip() or len(title) > 300:
        raise InvalidRequest("表决需要对象（最多 120 字符）和标题（最多 300 字）", "a vote needs a subject and a title")
    if not isinstance(rules, Rules):
        raise InvalidRequest("rules 必须是 Rules（例如 Rules.simple_majority()）", "rules must be a Rules object")
    if secrecy not in SECRECIES:
        raise InvalidRequest(f"未知的保密方式 {secrecy!r}", f"unknown secrecy {secrecy!r}: use {', '.join(SECRECIES)}")
    stored_options = check_options(method, options, max_choices)
    _check_window(opens_at, closes_at)
    if secrecy == "anonymous" and rules.uses_weight:
        raise InvalidRequest(
            "不记名表决不能按面积（权重）计票：面积几乎能认出是哪一户",
            "an anonymous vote can't count weight: a flat's floor area nearly names the household",
        )
    if secrecy == "anonymous" and rules.allow_change:
        raise InvalidRequest(
            "不记名表决不能改票：改票需要把选票和投票人联系起来",
            "an anonymous vote can't allow changing: that needs a link from ballot to voter",
        )
    vote = Vote(
        district_id=district_id,
        subject_ref=subject_ref,
        title=title,
        method=method,
        max_choices=max_choices,
        options=stored_options,
        secrecy=secrecy,
        opens_at=opens_at,
        closes_at=closes_at,
        status="draft",
        hands_total=0,
        created_by_id=created_by_id,
        created_at=utcnow(),
        **rule_columns(rules),
    )
    session.add(vote)
    await session.flush()
    return vote


def _check_electorate(electorate: list[Voter]) -> list[tuple[str, int | None, str]]:
    if not electorate:
        raise InvalidElectorate("选民名单不能为空", "the electorate is empty")
    rows, seen = [], set()
    for voter in electorate:
        if not isinstance(voter, Voter):
            raise InvalidElectorate("选民名单的每一项必须是 Voter", "each member of the electorate is a Voter")
        ref = voter.voter_ref
        if not isinstance(ref, str) or not ref.strip() or len(ref) > 120:
            raise InvalidElectorate(f"选民标识无效：{ref!r}", f"bad voter_ref {ref!r}")
        if ref in seen:
            raise InvalidElectorate(f"选民 {ref} 在名单中出现两次", f"voter {ref} appears twice in the electorate")
        seen.add(ref)
        user_id = voter.user_id
        if user_id is not None and (isinstance(user_id, bool) or not isinstance(user_id, int)):
            raise InvalidElectorate(f"选民 {ref} 的用户 id 无效", f"bad user_id for {ref}")
        rows.append((ref, user_id, weight_text(voter.weight, ref)))
    return rows


async def open_vote(session: AsyncSession, vote_id: int, electorate: list[Voter]) -> Vote:
    """Open a draft vote: copy ``electorate`` into the vote, frozen from now on."""
    vote = await lock_vote(session, vote_id)
    if vote.status != "draft":
        raise WrongStatus(f"表决 #{vote.id} 已经开启过", f"vote #{vote.id} was already opened", status=vote.status)
    now = utcnow()
    if now >= vote.closes_at:
        raise VoteNotOpen(f"表决 #{vote.id} 的截止时间已过，不能开启", f"vote #{vote.id} is past its closing time")
    rows = _check_electorate(list(electorate))
    try:
        async with session.begin_nested():
            # One batched INSERT (executemany) for the whole electorate, not one per elector.
            await session.execute(
                insert(VoteElector),
                [
                    {"district_id": vote.district_id, "vote_id": vote.id, "voter_ref": ref, "user_id": uid, "weight": w}
                    for ref, uid, w in rows
                ],
            )
    except IntegrityError as exc:  # a user_id that names no user
        raise InvalidElectorate("选民名单中有不存在的用户", "the electorate names a user that does not exist") from exc
    vote.status = "open"
    vote.opened_at = now
    vote.electorate_size = len(rows)
    vote.electorate_weight = weight_text(total_weight(w for _, _, w in rows), "total")
    await session.flush()
    return vote


async def _shuffle_anonymous_ballots(session: AsyncSession, vote: Vote) -> None:
    """Rewrite an anonymous vote's ballots with new random ids in random order, all in this transaction.

    Until now each ballot was written by the transaction that also wrote its voter's
    "has voted" row (same PostgreSQL ``xmin``, neighbouring places in the table). After
    this, the ballots share the closing transaction and their order says nothing.
    """
    choices = list((await session.execute(select(VoteBallot.choice).where(VoteBallot.vote_id == vote.id))).scalars())
    random.SystemRandom().shuffle(choices)
    await session.execute(
        delete(VoteBallot).where(VoteBallot.vote_id == vote.id), execution_options={"synchronize_session": False}
    )
    session.add_all(
        VoteBallot(id=secrets.token_hex(16), district_id=vote.district_id, vote_id=vote.id, choice=c) for c in choices
    )
    await session.flush()


async def close_vote(session: AsyncSession, vote_id: int) -> VoteResult:
    """Close an open vote (at or before its closing time), store its outcome and return the final result."""

    vote = await lock_vote(session, vote_id)
    if vote.status != "open":
        raise WrongStatus(
            f"只能关闭进行中的表决（#{vote.id} 的状态为 {vote.status}）",
            f"only an open vote can be closed (vote #{vote.id} is {vote.status})",
            status=vote.status,
        )
    if vote.secrecy == "anonymous":
        await _shuffle_anonymous_ballots(session, vote)
    vote.status = "closed"
    vote.closed_at = utcnow()
    await session.flush()
    result = await results(session, vote_id)
    vote.outcome = result.outcome.value if result.outcome else None
    await session.flush()
    return result
