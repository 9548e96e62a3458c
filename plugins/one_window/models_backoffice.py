"""The back office's tables (后台协同办理): the departments' steps of an intake, the documents found missing at
intake (for the reports), and the public progress lookup's attempt counter.

``one_window_step`` is one department's part of one stage of an intake's route: the steps
of a stage are worked in parallel; the next stage opens when every step of the stage is
answered (the join). ``one_window_missing`` keeps, per intake, each required document the
window did not receive at intake. ``one_window_lookup`` counts progress lookups per client
and ten-minute window (the rate limit).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps

__all__ = ("Lookup", "Missing", "Step", "StepStatus")


class StepStatus:
    """A step waits for its stage, is open in the department's queue, or is answered (done)."""

    WAITING = "waiting"
    OPEN = "open"
    DONE = "done"


class Step(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """One department's step of an intake's route: its stage, time limit, due day and answer."""

    __tablename__ = "one_window_step"
    __table_args__ = (UniqueConstraint("intake_id", "stage", "department_id"),)

    intake_id: Mapped[int] = mapped_column(BigId, ForeignKey("one_window_intake.id", ondelete="CASCADE"), index=True)
    stage: Mapped[int] = mapped_column(Integer)
    department_id: Mapped[int] = mapped_column(BigId, ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=StepStatus.WAITING)
    days: Mapped[int] = mapped_column(Integer, default=1)
    opened_on: Mapped[date | None] = mapped_column(Date, default=None)
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    decision: Mapped[str] = mapped_column(String(20), default="")
    opinion: Mapped[str] = mapped_column(Text, default="")
    answered_on: Mapped[date | None] = mapped_column(Date, default=None)
    answered_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


class Missing(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A required document the window did not receive at intake (one row per intake and document)."""

    __tablename__ = "one_window_missing"
    __table_args__ = (UniqueConstraint("intake_id", "name"),)

    intake_id: Mapped[int] = mapped_column(BigId, ForeignKey("one_window_intake.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(BigId, ForeignKey("one_window_item.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))


class Lookup(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """How many progress lookups one client made in one ten-minute window (``bucket``: epoch minutes // 10)."""

    __tablename__ = "one_window_lookup"
    __table_args__ = (UniqueConstraint("district_id", "client", "bucket"),)

    client: Mapped[str] = mapped_column(String(64))
    bucket: Mapped[int] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
