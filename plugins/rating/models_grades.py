"""The grade evaluation process (社会组织等级评估, 1A–5A) around :class:`~plugins.rating.models.Grade`.

- ``rating_grade_indicator``   the indicator tree per organization type and version (section → indicator)
- ``rating_grade_evaluation``  one organization's evaluation of one year, on the tree version it started with
- ``rating_grade_self_score``  the organization's self-assessment, per indicator, with a note / evidence
- ``rating_grade_panel``       the experts of the on-site assessment (one row per expert)
- ``rating_grade_expert_score`` each expert's points per indicator (the panel score is their mean)
- ``rating_grade_objection``   an objection during publicity and the staff's answer

Points are kept in tenths (``tenths``: 85 = 8.5 points) so sums and means stay exact.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps, utcnow

__all__ = (
    "EVALUATION_STATES",
    "ORG_TYPES",
    "SECTIONS",
    "GradeEvaluation",
    "GradeExpertScore",
    "GradeIndicator",
    "GradeObjection",
    "GradePanelMember",
    "GradeSelfScore",
)

# The registry's registered types (core RegisteredType values): each has its own tree.
ORG_TYPES = ("social_group", "social_service", "foundation")
# 基础条件, 内部治理, 工作绩效 (社会服务机构: 业务活动和诚信建设), 社会评价, 加分项
SECTIONS = ("basic", "governance", "performance", "social", "bonus")
# applied → self-assessment → on-site (expert) scoring → publicity → review → confirmed; or not graded.
EVALUATION_STATES = (
    "self_assessment",
    "expert_scoring",
    "publicity",
    "review",
    "confirmed",
    "not_graded",
    "withdrawn",
)


class GradeIndicator(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """One indicator of a tree version: its section, code (``2.3``), name and maximum points."""

    __tablename__ = "rating_grade_indicator"
    __table_args__ = (
        UniqueConstraint("district_id", "org_type", "version", "code"),
        CheckConstraint("max_points BETWEEN 1 AND 500", name="max_points"),
        CheckConstraint("section IN ('basic', 'governance', 'performance', 'social', 'bonus')", name="section"),
    )

    org_type: Mapped[str] = mapped_column(String(20))
    version: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    max_points: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)


class GradeEvaluation(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """An organization's grade evaluation of one year, from its application to the confirmed grade."""

    __tablename__ = "rating_grade_evaluation"
    __table_args__ = (
        UniqueConstraint("district_id", "organization_id", "year"),
        CheckConstraint(
            "status IN ('self_assessment', 'expert_scoring', 'publicity', 'review', 'confirmed', 'not_graded',"
            " 'withdrawn')",
            name="status",
        ),
        Index("ix_rating_grade_evaluation_queue", "district_id", "status", "created_at"),
    )

    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    org_type: Mapped[str] = mapped_column(String(20))
    tree_version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="self_assessment")
    annual_report_filed: Mapped[bool] = mapped_column(default=False)
    applied_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    self_submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    scoring_closed_at: Mapped[datetime | None] = mapped_column(default=None)
    total: Mapped[int | None] = mapped_column(Integer, default=None)
    grade: Mapped[str | None] = mapped_column(String(4), default=None)
    grade_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("rating_grade.id", ondelete="SET NULL"), default=None
    )
    review_note: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    confirmed_on: Mapped[date | None] = mapped_column(Date, default=None)
    # The organization withdrew its application before the result (rating_0004).
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    withdraw_reason: Mapped[str] = mapped_column(Text, default="")


class GradeSelfScore(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """The organization's own points for one indicator, with a note or the evidence it offers."""

    __tablename__ = "rating_grade_self_score"
    __table_args__ = (UniqueConstraint("evaluation_id", "indicator_id"),)

    evaluation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("rating_grade_evaluation.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(BigId, ForeignKey("rating_grade_indicator.id", ondelete="CASCADE"))
    tenths: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class GradePanelMember(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """An expert on the evaluation's on-site panel; ``submitted_at`` once they handed in their scores."""

    __tablename__ = "rating_grade_panel"
    __table_args__ = (UniqueConstraint("evaluation_id", "user_id"),)

    evaluation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("rating_grade_evaluation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)


class GradeExpertScore(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """One expert's points for one indicator (on-site assessment)."""

    __tablename__ = "rating_grade_expert_score"
    __table_args__ = (UniqueConstraint("evaluation_id", "expert_id", "indicator_id"),)

    evaluation_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("rating_grade_evaluation.id", ondelete="CASCADE"), index=True
    )
    expert_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    indicator_id: Mapped[int] = mapped_column(BigId, ForeignKey("rating_grade_indicator.id", ondelete="CASCADE"))
    tenths: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")


class GradeObjection(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """An objection to a grade in publicity (anyone logged in, with a reason); staff answer it."""

    __tablename__ = "rating_grade_objection"

    grade_id: Mapped[int] = mapped_column(BigId, ForeignKey("rating_grade.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    reason: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
