"""A district's edits to its working-day calendar, and the scheduler's runs and leases.

The national calendar (weekends, public holidays, adjusted working days 调休) comes from
the ``chinesecalendar`` package (:mod:`core.workdays.national`); a district admin's edit of
one day is a :class:`WorkdayOverride` row on top of it. Editing bumps
``District.calendar_version`` so every process drops its cached calendar.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId, DistrictScoped, IdPrimaryKey, JsonB, Timestamps, utcnow

__all__ = ("JOB_RUN_STATUSES", "ScheduledJobLease", "ScheduledJobRun", "WorkdayOverride")


class WorkdayOverride(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """One day a district declares working (``working``) or not, whatever the national calendar says."""

    __tablename__ = "workday_overrides"
    __table_args__ = (UniqueConstraint("district_id", "day"),)

    day: Mapped[date] = mapped_column(Date)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(BigId, default=None)


JOB_RUN_STATUSES = ("running", "ok", "failed")


class ScheduledJobLease(Base):
    """Who may run a scheduled job for one district (0 = the job is not per district) until when.

    A scheduler takes the lease with one conditional ``UPDATE`` (or the first ``INSERT``);
    only the holder runs the job, so a job due runs once even when several servers wake
    at the same moment. ``last_slot`` is the scheduled moment last run: a slot is run once.
    """

    __tablename__ = "scheduled_job_leases"

    job_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    scope_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    lease_owner: Mapped[str | None] = mapped_column(String(80), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    last_slot: Mapped[datetime | None] = mapped_column(default=None)
    last_status: Mapped[str] = mapped_column(String(16), default="")


class ScheduledJobRun(IdPrimaryKey, Base):
    """One run of a scheduled job (for one district, or none): when, how it ended, what it did."""

    __tablename__ = "scheduled_job_runs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'ok', 'failed')", name="status"),
        Index("ix_scheduled_job_runs_job_key_started_at", "job_key", "started_at"),
    )

    job_key: Mapped[str] = mapped_column(String(80))
    district_id: Mapped[int | None] = mapped_column(BigId, default=None, index=True)
    slot: Mapped[datetime | None] = mapped_column(default=None)
    trigger: Mapped[str] = mapped_column(String(16), default="schedule")  # schedule | manual
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default="running")
    message: Mapped[str] = mapped_column(Text, default="")  # Chinese (or the error, as raised)
    message_en: Mapped[str] = mapped_column(Text, default="")
    counts: Mapped[dict[str, int]] = mapped_column(JsonB, default=dict)
