"""Patrol rounds, plate checks and violations (with their disputes) of an estate.

A patroller of the estate's committee starts a round, checks plates (every check is
logged, compliant or not, as parkkihubi does), and reports violations: plate, time,
place, and a photo or a second patroller as witness. The convention's rules escalate:
a warning on the first, the card suspended on the third within 30 days. An owner may
dispute a violation: the residents' committee mediates (upheld / withdrawn), else
refers it to the community committee.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps, utcnow

__all__ = (
    "CHECK_RESULTS",
    "VIOLATION_STATUSES",
    "VIOLATION_STEPS",
    "PatrolRound",
    "PlateCheck",
    "Violation",
)

CHECK_RESULTS = ("ok", "no_permit", "outside_window", "suspended", "violation")
# open: recorded, the owner told; corrected: the car was moved (closed, still counts);
# disputed: in mediation by the residents' committee; referred: sent on to the community committee;
# upheld: the dispute failed (closed, counts); withdrawn: cancelled (does not count).
VIOLATION_STATUSES = ("open", "corrected", "disputed", "referred", "upheld", "withdrawn")
VIOLATION_STEPS = ("warning", "recorded", "suspension")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class PatrolRound(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A patrol round (巡查) by a patroller of the estate's committee: when it started and ended."""

    __tablename__ = "parking_patrol_round"

    parking_estate_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"), index=True
    )
    patroller_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    patroller_name: Mapped[str] = mapped_column(String(50), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    # The rota's shift the patroller was on when the round started (plugins.parking.rota).
    shift_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parking_patrol_shift.id", ondelete="SET NULL"), default=None, index=True
    )


class PlateCheck(IdPrimaryKey, DistrictScoped, Base):
    """One check of a plate during a round: where, when, and what was found (logged even when compliant)."""

    __tablename__ = "parking_plate_check"
    __table_args__ = (
        CheckConstraint(_in("result", CHECK_RESULTS), name="result"),
        Index("ix_parking_plate_check_round", "round_id"),
    )

    round_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_patrol_round.id", ondelete="CASCADE"))
    parking_estate_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"))
    plate: Mapped[str] = mapped_column(String(10))
    place: Mapped[str] = mapped_column(String(50), default="")
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    result: Mapped[str] = mapped_column(String(16))
    permit_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parking_permit.id", ondelete="SET NULL"), default=None
    )


class Violation(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A parking violation: plate, time, place, the photo or witness proving it; its escalation and dispute."""

    __tablename__ = "parking_violation"
    __table_args__ = (
        CheckConstraint(_in("status", VIOLATION_STATUSES), name="status"),
        CheckConstraint(_in("step", VIOLATION_STEPS), name="step"),
        CheckConstraint("photo_key IS NOT NULL OR witness_id IS NOT NULL", name="evidence"),
        Index("ix_parking_violation_plate", "parking_estate_id", "plate", "observed_at"),
    )

    parking_estate_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parking_patrol_round.id", ondelete="SET NULL"), default=None
    )
    plate: Mapped[str] = mapped_column(String(10))
    place: Mapped[str] = mapped_column(String(50))
    observed_at: Mapped[datetime] = mapped_column()
    description: Mapped[str] = mapped_column(String(300), default="")
    reported_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    witness_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    # The photo's bytes are in the core's storage (``storage_for(ctx)``) under this key.
    photo_key: Mapped[str | None] = mapped_column(String(200), default=None)
    photo_name: Mapped[str] = mapped_column(String(200), default="")
    photo_type: Mapped[str] = mapped_column(String(50), default="")
    photo_sha256: Mapped[str] = mapped_column(String(64), default="")
    household_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("households.id", ondelete="SET NULL"), default=None
    )
    permit_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parking_permit.id", ondelete="SET NULL"), default=None
    )
    # Which violation of the plate in the window this was (1 = the first), and the step it triggered.
    ordinal: Mapped[int] = mapped_column(Integer, default=1)
    step: Mapped[str] = mapped_column(String(12), default="warning")
    status: Mapped[str] = mapped_column(String(12), default="open")
    # The card this violation suspended (at most one violation per suspension), and when that was lifted.
    suspended_permit_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("parking_permit.id", ondelete="SET NULL"), default=None
    )
    suspension_lifted_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    # The owner's dispute and its mediation.
    dispute_reason: Mapped[str] = mapped_column(Text, default="")
    disputed_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    disputed_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    referred_at: Mapped[datetime | None] = mapped_column(default=None)
