"""Background jobs of the core: moving the open cases of a case type onto a newer version.

A row is the persisted plan of one migration (key, target version, state mapping, who
started it and when) and its progress. Workers (one per server process, or the
``sanshe case-types migrate-run`` command) claim a job with a lease: only the holder of
an unexpired lease moves cases, and it renews the lease at the start of every batch in
the same transaction that moves the batch. A worker that dies leaves the lease to
expire; the next one resumes (cases already moved are on the target version).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId, DistrictScoped, IdPrimaryKey, JsonB, utcnow

__all__ = ("JOB_STATUSES", "CaseMigrationJob")

JOB_STATUSES = ("pending", "running", "done", "failed")


class CaseMigrationJob(IdPrimaryKey, DistrictScoped, Base):
    """One migration of open cases of ``case_type_key`` onto the version ``target_version_id``."""

    __tablename__ = "case_migration_jobs"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'running', 'done', 'failed')", name="status"),
        Index("ix_case_migration_jobs_status_lease_until", "status", "lease_until"),
    )

    case_type_key: Mapped[str] = mapped_column(String(64))
    target_version_id: Mapped[int] = mapped_column(BigId, ForeignKey("case_type_versions.id", ondelete="CASCADE"))
    target_version: Mapped[int] = mapped_column(Integer)
    mapping: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    error: Mapped[str] = mapped_column(Text, default="")
    total: Mapped[int] = mapped_column(Integer, default=0)
    moved: Mapped[int] = mapped_column(Integer, default=0)
    started_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    lease_owner: Mapped[str | None] = mapped_column(String(80), default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")
