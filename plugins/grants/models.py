"""The plugin's tables. Every name starts with ``grants_``; money is in fen (integers)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, JsonB, Timestamps

__all__ = (
    "Application",
    "Assignment",
    "Call",
    "Category",
    "Criterion",
    "Funder",
    "GrantApplication",
    "GrantAssignment",
    "GrantCall",
    "GrantCategory",
    "GrantCriterion",
    "GrantFunder",
    "GrantReview",
    "GrantTranche",
    "Review",
    "Tranche",
)


class GrantCall(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A call for projects (创投大赛 / 年度项目征集): budget, rules, dates, review form."""

    __tablename__ = "grants_call"

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    budget_fen: Mapped[int] = mapped_column(BigId)
    min_grant_fen: Mapped[int] = mapped_column(BigId, default=0)
    max_grant_fen: Mapped[int] = mapped_column(BigId)
    # Own contribution (配套) required, in percent of the grant requested (20: at least 0.2 yuan per yuan).
    own_ratio_pct: Mapped[int] = mapped_column(Integer, default=0)
    # Eligibility: organization kinds allowed (informal / filed / registered), years active, standing.
    allowed_kinds: Mapped[list[str]] = mapped_column(JsonB, default=list)
    min_years_active: Mapped[int] = mapped_column(Integer, default=0)
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    review_by: Mapped[date | None] = mapped_column(Date, default=None)
    announce_on: Mapped[date | None] = mapped_column(Date, default=None)
    ranking: Mapped[str] = mapped_column(String(20), default="normalised")  # "raw" or "normalised"
    blind: Mapped[bool] = mapped_column(Boolean, default=False)
    partial_awards: Mapped[bool] = mapped_column(Boolean, default=False)
    # Reports: a budget line's reported spending may pass its planned amount by at most this percent (flagged);
    # beyond it, and past the budget's total, the report is refused.
    overspend_pct: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    reviewers_per_application: Mapped[int] = mapped_column(Integer, default=3)
    # Screening checklist (形式审查): the pass/fail items staff tick for each application.
    screening_items: Mapped[list[str]] = mapped_column(JsonB, default=list)
    # Selection: combined = (100 - vote_weight_pct) % of the ranking score + vote_weight_pct % of the vote share.
    vote_weight_pct: Mapped[int] = mapped_column(Integer, default=30)
    committee_vote_id: Mapped[int | None] = mapped_column(BigId, default=None)  # a core vote (core.votes)
    decided_at: Mapped[datetime | None] = mapped_column(default=None)  # determinations sent
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)

    categories: Mapped[list[GrantCategory]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="GrantCategory.position"
    )
    criteria: Mapped[list[GrantCriterion]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="GrantCriterion.position"
    )


class GrantCategory(IdPrimaryKey, DistrictScoped, Base):
    """A category of a call (elderly, youth …), with its own budget when set."""

    __tablename__ = "grants_category"

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("grants_call.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    budget_fen: Mapped[int | None] = mapped_column(BigId, default=None)


class GrantCriterion(IdPrimaryKey, DistrictScoped, Base):
    """One criterion of a call's review form: its weight and score range; n/a allowed or not."""

    __tablename__ = "grants_criterion"

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("grants_call.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(100))
    weight: Mapped[int] = mapped_column(Integer, default=1)
    min_score: Mapped[int] = mapped_column(Integer, default=0)
    max_score: Mapped[int] = mapped_column(Integer, default=10)
    allow_na: Mapped[bool] = mapped_column(Boolean, default=False)


class GrantApplication(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """An organization's project application to a call."""

    __tablename__ = "grants_application"

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("grants_call.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("grants_category.id", ondelete="SET NULL"), default=None
    )
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    beneficiaries: Mapped[str] = mapped_column(Text, default="")
    requested_fen: Mapped[int] = mapped_column(BigId, default=0)
    own_contribution_fen: Mapped[int] = mapped_column(BigId, default=0)
    # draft → submitted → (more_info → submitted) → screened | dismissed
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)
    screening: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)  # checklist item → passed
    info_message: Mapped[str] = mapped_column(Text, default="")
    info_deadline: Mapped[datetime | None] = mapped_column(default=None)
    dismissal_reason: Mapped[str] = mapped_column(Text, default="")
    # Determination: approved (with award_fen) or rejected; an override states its reason (published).
    award_fen: Mapped[int | None] = mapped_column(BigId, default=None)
    decision: Mapped[str] = mapped_column(String(20), default="")
    decision_message: Mapped[str] = mapped_column(Text, default="")
    override_reason: Mapped[str] = mapped_column(Text, default="")
    # The project after award: agreement dates, milestones; the mid-term report accepted; closed with a result.
    starts_on: Mapped[date | None] = mapped_column(Date, default=None)
    ends_on: Mapped[date | None] = mapped_column(Date, default=None)
    milestones: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime | None] = mapped_column(default=None)
    midterm_accepted_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    result: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


class GrantAssignment(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A reviewer assigned to an application; a conflict of interest excludes them."""

    __tablename__ = "grants_assignment"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)

    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("grants_application.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    conflict: Mapped[str] = mapped_column(String(200), default="")  # why the reviewer is excluded ("" = not)


class GrantReview(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A reviewer's scores for an application: one per reviewer and application (a draft until submitted)."""

    __tablename__ = "grants_review"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)

    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("grants_application.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # criterion id (as text) → score, or null for n/a; comments likewise.
    scores: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    comments: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)


class GrantFunder(IdPrimaryKey, DistrictScoped, Base):
    """A funder of a project: the district fund, a company adopting it (认捐), a matching programme."""

    __tablename__ = "grants_funder"

    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("grants_application.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # district | company | matching
    name: Mapped[str] = mapped_column(String(100))
    committed_fen: Mapped[int] = mapped_column(BigId)


class GrantTranche(IdPrimaryKey, DistrictScoped, Base):
    """One payment of the district's grant, released on the ledger only when its condition is met."""

    __tablename__ = "grants_tranche"
    __table_args__ = (UniqueConstraint("application_id", "position"),)

    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("grants_application.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    percent: Mapped[int] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigId)
    condition: Mapped[str] = mapped_column(String(20))  # signed | midterm | closed
    transfer_id: Mapped[int | None] = mapped_column(BigId, default=None)  # the ledger transfer when released
    released_at: Mapped[datetime | None] = mapped_column(default=None)
    reversed_at: Mapped[datetime | None] = mapped_column(default=None)


# Short names inside the plugin (the classes carry the prefix: the declarative registry is shared).
Call = GrantCall
Category = GrantCategory
Criterion = GrantCriterion
Application = GrantApplication
Assignment = GrantAssignment
Review = GrantReview
Funder = GrantFunder
Tranche = GrantTranche

# Imported last (their tables refer to these): reports, evaluations, outcomes, follow-ups; attachments, answers,
# pools, co-payments.
from plugins.grants import models_evaluation, models_extra  # noqa: E402, F401
