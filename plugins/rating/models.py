"""The star rating's tables (each name starts with ``rating_``): ratings, follow-ups, appeals, standings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, JsonB, Timestamps, utcnow

__all__ = ("CHANNELS", "Appeal", "FollowUp", "Grade", "Rating", "StandingStep")

# How a rating came in: the signed link on a phone, the resident's own page, staff typing a
# paper form or a phone survey.
CHANNELS = ("link", "own_page", "paper", "phone_survey")


class Rating(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """One resident's rating of one service delivery (一次一评): never edited; voided only by an appeal."""

    __tablename__ = "rating_rating"
    __table_args__ = (
        UniqueConstraint("district_id", "delivery_id"),
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars"),
        CheckConstraint("status IN ('valid', 'voided')", name="status"),
        Index("ix_rating_rating_ranking", "district_id", "status", "submitted_at", "organization_id"),
    )

    delivery_id: Mapped[int] = mapped_column(BigId, ForeignKey("service_deliveries.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    stars: Mapped[int] = mapped_column(Integer)
    dimensions: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(String(20))
    # Who rated: the resident (or the family member they named) — a name, and their login if any.
    rater_name: Mapped[str] = mapped_column(String(50), default="")
    rater_relation: Mapped[str] = mapped_column(String(20), default="self")  # self | family
    rater_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    entered_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(20), default="valid")
    void_reason: Mapped[str] = mapped_column(Text, default="")
    voided_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    voided_at: Mapped[datetime | None] = mapped_column(default=None)


class FollowUp(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """The follow-up of a bad rating (1–2 stars), due in N working days (好差评: 15)."""

    __tablename__ = "rating_follow_up"
    __table_args__ = (
        UniqueConstraint("district_id", "rating_id"),
        CheckConstraint("status IN ('open', 'answered', 'closed')", name="status"),
    )

    rating_id: Mapped[int] = mapped_column(BigId, ForeignKey("rating_rating.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    contact_note: Mapped[str] = mapped_column(Text, default="")  # how the resident was contacted
    action_taken: Mapped[str] = mapped_column(Text, default="")  # what was done
    resident_response: Mapped[str] = mapped_column(Text, default="")  # what the resident said afterwards
    answered_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class Appeal(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """An organization's appeal against a rating (malicious, not its service …); staff decide."""

    __tablename__ = "rating_appeal"
    __table_args__ = (
        UniqueConstraint("district_id", "rating_id"),
        CheckConstraint("status IN ('pending', 'upheld', 'rejected')", name="status"),
    )

    rating_id: Mapped[int] = mapped_column(BigId, ForeignKey("rating_rating.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    grounds: Mapped[str] = mapped_column(String(20))  # malicious | not_our_service | mistaken | other
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")
    filed_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)


class StandingStep(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A step decided from the rankings: probation, removal from the roster, or honours.

    It takes effect on ``effective_on`` (after the appeal window) unless the organization
    appealed and staff overturned it.
    """

    __tablename__ = "rating_standing"
    __table_args__ = (
        UniqueConstraint("district_id", "organization_id", "period", "status"),
        CheckConstraint("status IN ('probation', 'removed', 'honoured')", name="status"),
        CheckConstraint("appeal_status IN ('none', 'pending', 'upheld', 'rejected')", name="appeal_status"),
    )

    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(10))  # 2026Q3
    status: Mapped[str] = mapped_column(String(20))
    decided_on: Mapped[date] = mapped_column(Date)
    effective_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    appeal_status: Mapped[str] = mapped_column(String(20), default="none")
    appeal_reason: Mapped[str] = mapped_column(Text, default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


class Grade(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A grade evaluation (社会组织等级评估) result: total points, the grade under the district's bands,
    publicity with objections, confirmation, validity (1 January after the announcement, five years)."""

    __tablename__ = "rating_grade"
    __table_args__ = (
        UniqueConstraint("district_id", "organization_id", "year"),
        CheckConstraint("status IN ('publicity', 'confirmed', 'withdrawn')", name="status"),
        CheckConstraint("total BETWEEN 0 AND 1200", name="total"),
    )

    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)  # 1,000 points plus bonus
    grade: Mapped[str] = mapped_column(String(4))  # 1A … 5A
    status: Mapped[str] = mapped_column(String(20), default="publicity")
    publicity_until: Mapped[date] = mapped_column(Date)
    objections: Mapped[str] = mapped_column(Text, default="")
    announced_on: Mapped[date | None] = mapped_column(Date, default=None)
    valid_from: Mapped[date | None] = mapped_column(Date, default=None)
    valid_until: Mapped[date | None] = mapped_column(Date, default=None)
    recorded_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


from plugins.rating.models_grades import *  # noqa: E402, F403  (the grade evaluation process, issue 16 part 7)
from plugins.rating.models_process import *  # noqa: E402, F403  (period evaluations, grade evidence: rating_0004)
