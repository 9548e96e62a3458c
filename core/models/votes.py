"""Votes: the vote, its frozen electorate, the "has voted" register, ballots and shows of hands.

See :mod:`core.votes` and ``docs/votes.md``. Thresholds are exact fractions stored as a
numerator, a denominator and whether the bound itself is enough (``以上``: at least) or
must be passed (``过半数``: more than). Weights (floor area in m², or 1) are exact decimal
text, never floats.

Anonymous ballots carry no voter, no channel, no clerk and no time: the link between a
voter and a ballot exists only in the transaction that writes both. ``vote_ballots`` has
random ids and, on SQLite, no rowid (rows are kept in id order, not insertion order);
closing an anonymous vote rewrites its ballots in random order (see ``core.votes.lifecycle``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId, DistrictScoped, IdPrimaryKey, JsonB, utcnow

__all__ = ("Vote", "VoteBallot", "VoteElector", "VoteHandCount", "VoteParticipation")

METHODS = ("for_against_abstain", "single", "multiple", "score")
SECRECIES = ("named", "hidden_until_close", "anonymous")
STATUSES = ("draft", "open", "closed")
BASES = ("participating", "cast", "electorate")
CHANNELS = ("online", "paper", "hands", "door_to_door")
OUTCOMES = ("passed", "failed", "no_quorum")
THRESHOLDS = ("quorum_heads", "quorum_weight", "pass_heads", "pass_weight")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _threshold_check(name: str) -> CheckConstraint:
    num, den, inc = f"{name}_num", f"{name}_den", f"{name}_inclusive"
    return CheckConstraint(
        f"({num} IS NULL AND {den} IS NULL AND {inc} IS NULL) OR "
        f"({den} > 0 AND {num} >= 0 AND {num} <= {den} AND {inc} IS NOT NULL)",
        name=f"{name}_fraction",
    )


class Vote(IdPrimaryKey, DistrictScoped, Base):
    """A vote on a subject (any record), with its method, rules, secrecy and window."""

    __tablename__ = "votes"
    __table_args__ = (
        CheckConstraint(_in("method", METHODS), name="method"),
        CheckConstraint(_in("secrecy", SECRECIES), name="secrecy"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("base", BASES), name="base"),
        CheckConstraint("outcome IS NULL OR " + _in("outcome", OUTCOMES), name="outcome"),
        CheckConstraint("closes_at > opens_at", name="window"),
        CheckConstraint("pass_heads_num IS NOT NULL", name="pass_heads_required"),
        *(_threshold_check(name) for name in THRESHOLDS),
    )

    subject_ref: Mapped[str] = mapped_column(String(120), index=True)  # e.g. "council_topic:12"
    title: Mapped[str] = mapped_column(String(300))
    method: Mapped[str] = mapped_column(String(24))
    max_choices: Mapped[int | None] = mapped_column(Integer)  # method "multiple" only
    options: Mapped[list[str]] = mapped_column(JsonB)
    secrecy: Mapped[str] = mapped_column(String(24))
    preset: Mapped[str] = mapped_column(String(40))
    base: Mapped[str] = mapped_column(String(16))  # of whom the pass thresholds are counted
    quorum_heads_num: Mapped[int | None] = mapped_column(Integer)
    quorum_heads_den: Mapped[int | None] = mapped_column(Integer)
    quorum_heads_inclusive: Mapped[bool | None] = mapped_column(Boolean)
    quorum_weight_num: Mapped[int | None] = mapped_column(Integer)
    quorum_weight_den: Mapped[int | None] = mapped_column(Integer)
    quorum_weight_inclusive: Mapped[bool | None] = mapped_column(Boolean)
    pass_heads_num: Mapped[int | None] = mapped_column(Integer)
    pass_heads_den: Mapped[int | None] = mapped_column(Integer)
    pass_heads_inclusive: Mapped[bool | None] = mapped_column(Boolean)
    pass_weight_num: Mapped[int | None] = mapped_column(Integer)
    pass_weight_den: Mapped[int | None] = mapped_column(Integer)
    pass_weight_inclusive: Mapped[bool | None] = mapped_column(Boolean)
    allow_change: Mapped[bool] = mapped_column(Boolean, default=False)
    opens_at: Mapped[datetime] = mapped_column()
    closes_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="draft")
    electorate_size: Mapped[int | None] = mapped_column(Integer)  # frozen at opening
    electorate_weight: Mapped[str | None] = mapped_column(String(40))  # exact decimal text
    hands_total: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(16))  # stored when closed
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class VoteElector(IdPrimaryKey, DistrictScoped, Base):
    """One member of a vote's electorate, copied when the vote opens and never changed."""

    __tablename__ = "vote_electors"
    __table_args__ = (UniqueConstraint("vote_id", "voter_ref"),)

    vote_id: Mapped[int] = mapped_column(BigId, ForeignKey("votes.id", ondelete="CASCADE"))
    voter_ref: Mapped[str] = mapped_column(String(120))  # e.g. "user:42", "household:偃月-3-201"
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    weight: Mapped[str] = mapped_column(String(40))  # exact decimal text, e.g. "1" or "89.37"


class VoteParticipation(DistrictScoped, Base):
    """The "has voted" register: one row per elector who voted; it names no ballot.

    Its primary key stops a second first ballot, even from parallel connections. How and
    by whom the elector's (first) ballot came in is recorded here, not on anonymous ballots.
    """

    __tablename__ = "vote_participations"
    __table_args__ = (CheckConstraint(_in("channel", CHANNELS), name="channel"),)

    vote_id: Mapped[int] = mapped_column(BigId, ForeignKey("votes.id", ondelete="CASCADE"), primary_key=True)
    elector_id: Mapped[int] = mapped_column(BigId, ForeignKey("vote_electors.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    entered_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    voted_at: Mapped[datetime] = mapped_column(default=utcnow)


class VoteBallot(DistrictScoped, Base):
    """One ballot. Named: who, how, who entered it, when, and whether a later one replaced it.

    Anonymous: only the vote and the choice (every other column is ``NULL``).
    """

    __tablename__ = "vote_ballots"
    __table_args__ = (
        CheckConstraint("channel IS NULL OR " + _in("channel", CHANNELS), name="channel"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, never sequential
    vote_id: Mapped[int] = mapped_column(BigId, ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    elector_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("vote_electors.id", ondelete="CASCADE"), index=True
    )
    choice: Mapped[Any] = mapped_column(JsonB)
    channel: Mapped[str | None] = mapped_column(String(16))
    entered_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    cast_at: Mapped[datetime | None] = mapped_column(default=None)
    replaced_at: Mapped[datetime | None] = mapped_column(default=None)


class VoteHandCount(IdPrimaryKey, DistrictScoped, Base):
    """A show of hands entered as counts per option, attested by a named person."""

    __tablename__ = "vote_hand_counts"
    __table_args__ = (CheckConstraint("heads > 0", name="heads_positive"),)

    vote_id: Mapped[int] = mapped_column(BigId, ForeignKey("votes.id", ondelete="CASCADE"), index=True)
    counts: Mapped[dict[str, int]] = mapped_column(JsonB)
    heads: Mapped[int] = mapped_column(Integer)
    attested_by_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id"))
    entered_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(500), default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
