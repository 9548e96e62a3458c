"""Tables of rating_0004: the record of each period's evaluation (the scheduled job and the staff button) and the
evidence files of a grade self-assessment."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps

__all__ = ("GradeEvidence", "PeriodEvaluation")


class PeriodEvaluation(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A period whose rankings were turned into probation/removal/honours: once per district and period."""

    __tablename__ = "rating_period_evaluation"
    __table_args__ = (
        UniqueConstraint("district_id", "period"),
        CheckConstraint("source IN ('job', 'staff')", name="source"),
    )

    period: Mapped[str] = mapped_column(String(10))  # 2026Q3
    evaluated_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(10))  # the scheduled job or a staff member
    by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    steps: Mapped[int] = mapped_column(Integer, default=0)  # probation, removal and honours decided


class GradeEvidence(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A photo or PDF the organization offers for one indicator of its self-assessment (kept by the storage)."""

    __tablename__ = "rating_grade_evidence"

    evaluation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("rating_grade_evaluation.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(BigId, ForeignKey("rating_grade_indicator.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
