"""Tables for what follows an award: progress reports, evaluations, closing with a result, follow-ups.

Imported by one line at the end of ``models.py``; created by ``migrations/versions/0002_evaluation.py``.
Money is in fen; one row per project and report kind / evaluation stage / follow-up year (unique keys
make a double submission — also two at the same moment — store one row).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, JsonB, Timestamps

__all__ = ("GrantEvalForm", "GrantEvaluation", "GrantFollowUp", "GrantOutcome", "GrantReport")


class GrantReport(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A progress report (mid-term or final) the organization submits; staff accept it or send it back."""

    __tablename__ = "grants_report"
    __table_args__ = (UniqueConstraint("application_id", "kind"),)

    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("grants_application.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))  # midterm | final
    status: Mapped[str] = mapped_column(String(10), default="submitted", index=True)  # submitted|returned|accepted
    indicators: Mapped[str] = mapped_column(Text, default="")  # indicators achieved
    activities: Mapped[str] = mapped_column(Text, default="")
    beneficiaries: Mapped[int] = mapped_column(Integer, default=0)  # people served
    spending: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)  # [{"line", "fen"}]
    files: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)  # [{"key", "name", "type", "sha256"}]
    due_on: Mapped[date] = mapped_column(Date)
    on_time: Mapped[bool] = mapped_column(Boolean, default=True)  # first submitted by its due day
    first_submitted_at: Mapped[datetime]
    submitted_at: Mapped[datetime]
    submitted_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    message: Mapped[str] = mapped_column(Text, default="")  # staff's message when sent back
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


class GrantEvalForm(IdPrimaryKey, DistrictScoped, Base):
    """A call's evaluation form (过程评估/结项评估): criteria with weights and score ranges."""

    __tablename__ = "grants_eval_form"
    __table_args__ = (UniqueConstraint("call_id"),)

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("grants_call.id", ondelete="CASCADE"))
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)  # [{name, weight, min, max}]


class GrantEvaluation(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A mid-term or final evaluation of a project, scored by staff or an evaluation organization."""

    __tablename__ = "grants_evaluation"
    __table_args__ = (UniqueConstraint("application_id", "stage"),)

    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("grants_application.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(10))  # midterm | final
    evaluator_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None, index=True
    )
    agency: Mapped[str] = mapped_column(String(100), default="")  # the evaluation organization, if any
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)  # the form as scored
    scores: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)  # criterion number → score
    comment: Mapped[str] = mapped_column(Text, default="")
    score_x100: Mapped[int | None] = mapped_column(Integer, default=None)  # weighted 0–100, hundredths
    submitted_at: Mapped[datetime | None] = mapped_column(default=None)


class GrantOutcome(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """How a closed project ended (结项结论): excellent / good / pass / fail, with a note."""

    __tablename__ = "grants_outcome"
    __table_args__ = (UniqueConstraint("application_id"),)

    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("grants_application.id", ondelete="CASCADE"))
    grade: Mapped[str] = mapped_column(String(10), index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    closed_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


class GrantFollowUp(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A sustainability follow-up one or two years after closing: is the project still running?"""

    __tablename__ = "grants_follow_up"
    __table_args__ = (UniqueConstraint("application_id", "year"),)

    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("grants_application.id", ondelete="CASCADE"), index=True
    )
    year: Mapped[int] = mapped_column(Integer)  # 1 or 2
    due_on: Mapped[date] = mapped_column(Date, index=True)
    running: Mapped[bool | None] = mapped_column(Boolean, default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
