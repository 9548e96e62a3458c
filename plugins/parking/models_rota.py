"""The patrol rota (排班): shifts the committee plans and the patrollers on each.

A shift is a time (it may cross midnight), an area of the estate and how many patrollers
it needs; each patroller on it holds a numbered place (``seat`` 1…needed). Giving a shift
up keeps the row (the committee sees who gave it up and when) with ``seat`` NULL, which
frees the place. Rounds recorded during a shift link to it (``PatrolRound.shift_id``).

The rules (no patroller on two overlapping shifts of the estate, never more patrollers
than a shift needs) are decided under the estate's row lock; the unique place per shift
and, on PostgreSQL, an exclusion constraint on the patroller's active time ranges hold
them in the tables too.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, func, literal_column, text
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps

__all__ = ("MAX_NEEDED", "PatrolShift", "ShiftAssignment")

MAX_NEEDED = 10


class PatrolShift(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A planned patrol shift: when (``ends_at`` may be the next day), where, how many patrollers it needs."""

    __tablename__ = "parking_patrol_shift"
    __table_args__ = (
        # One shift per estate, start and area: re-running a recurring plan adds none twice.
        UniqueConstraint("parking_estate_id", "starts_at", "area"),
        CheckConstraint("ends_at > starts_at", name="span"),
        CheckConstraint(f"needed >= 1 AND needed <= {MAX_NEEDED}", name="needed"),
    )

    parking_estate_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    area: Mapped[str] = mapped_column(String(60))
    needed: Mapped[int] = mapped_column(Integer, default=1)
    planned_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


class ShiftAssignment(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A patroller on a shift, in place ``seat`` (NULL once given up); the shift's times copied for the overlap rule."""

    __tablename__ = "parking_shift_assignment"
    __table_args__ = (
        UniqueConstraint("shift_id", "patroller_id"),
        UniqueConstraint("shift_id", "seat"),  # NULL seats (given up) never collide
        CheckConstraint(f"seat IS NULL OR (seat >= 1 AND seat <= {MAX_NEEDED})", name="seat"),
        CheckConstraint("ends_at > starts_at", name="span"),
        Index("ix_parking_shift_assignment_patroller", "parking_estate_id", "patroller_id", "starts_at"),
        ExcludeConstraint(
            (literal_column("parking_estate_id"), "="),
            (literal_column("patroller_id"), "="),
            (func.tstzrange(literal_column("starts_at"), literal_column("ends_at"), text("'[)'")), "&&"),
            name="parking_shift_assignment_no_overlap",
            using="gist",
            where=text("seat IS NOT NULL"),
        ).ddl_if(dialect="postgresql"),
    )

    shift_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_patrol_shift.id", ondelete="CASCADE"))
    parking_estate_id: Mapped[int] = mapped_column(BigId, ForeignKey("parking_estate.id", ondelete="CASCADE"))
    patroller_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    patroller_name: Mapped[str] = mapped_column(String(50), default="")
    seat: Mapped[int | None] = mapped_column(Integer, default=None)
    starts_at: Mapped[datetime] = mapped_column()
    ends_at: Mapped[datetime] = mapped_column()
    # Who put them on (themselves when they volunteered), and when they gave the shift up.
    assigned_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    given_up_at: Mapped[datetime | None] = mapped_column(default=None)
