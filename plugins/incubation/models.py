"""The plugin's tables, each named ``incubation_<noun>`` and scoped to a district.

Stages are kept on the core case (``cases.state``) and mirrored on :class:`Incubation`
so reports and record rules are plain SQL on the plugin's own tables.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, JsonB, Timestamps

__all__ = (
    "ACTIVE_STAGES",
    "STAGES",
    "ActionItem",
    "Allocation",
    "Assessment",
    "Attendance",
    "Cohort",
    "Criterion",
    "HubEvaluation",
    "Incubation",
    "Incubator",
    "Instrument",
    "Mentor",
    "Session",
    "Space",
    "Training",
)

STAGES = ("applied", "screened", "filed", "resident", "registered", "graduated", "exited")
ACTIVE_STAGES = ("applied", "screened", "filed", "resident", "registered")
SPACE_KINDS = ("desk", "office", "shared_room")
MODES = ("on_site", "virtual")
MENTOR_KINDS = ("social_worker", "expert", "hub")
PHASES = ("intake", "mid", "final")


class Incubator(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A social-organization service centre (孵化基地) of the district."""

    __tablename__ = "incubation_incubator"
    __table_args__ = (UniqueConstraint("district_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    address: Mapped[str] = mapped_column(String(200), default="")
    org_unit_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("org_units.id", ondelete="SET NULL"), index=True, default=None
    )
    description: Mapped[str] = mapped_column(Text, default="")
    phone: Mapped[str] = mapped_column(String(20), default="")


class Space(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A desk, an office or a shared room of an incubator."""

    __tablename__ = "incubation_space"
    __table_args__ = (UniqueConstraint("incubator_id", "code"),)

    incubator_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incubation_incubator.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), default="desk")
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Cohort(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A programme or intake (批次) of an incubator."""

    __tablename__ = "incubation_cohort"
    __table_args__ = (UniqueConstraint("incubator_id", "name"),)

    incubator_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incubation_incubator.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    intake_on: Mapped[date] = mapped_column(Date)
    mode: Mapped[str] = mapped_column(String(20), default="on_site")


class Mentor(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A mentor (导师): a social worker, an expert or a hub organization's person."""

    __tablename__ = "incubation_mentor"

    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(20), default="social_worker")
    phone: Mapped[str] = mapped_column(String(20), default="")
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    organization_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("organizations.id", ondelete="SET NULL"), index=True, default=None
    )


class Incubation(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """An organization's incubation at one incubator; its workflow is the core case ``case_id``.

    At most one active incubation per organization and incubator: a partial unique index.
    """

    __tablename__ = "incubation_case"
    __table_args__ = (
        Index(
            "uq_incubation_case_one_active",
            "organization_id",
            "incubator_id",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    incubator_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incubation_incubator.id", ondelete="CASCADE"), index=True
    )
    cohort_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("incubation_cohort.id", ondelete="SET NULL"), index=True, default=None
    )
    mentor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("incubation_mentor.id", ondelete="SET NULL"), index=True, default=None
    )
    mode: Mapped[str] = mapped_column(String(20), default="on_site")
    stage: Mapped[str] = mapped_column(String(20), default="applied", index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    applied_on: Mapped[date] = mapped_column(Date)
    start_on: Mapped[date | None] = mapped_column(Date, default=None)
    planned_end_on: Mapped[date | None] = mapped_column(Date, default=None)
    resident_on: Mapped[date | None] = mapped_column(Date, default=None)
    registered_on: Mapped[date | None] = mapped_column(Date, default=None)
    graduated_on: Mapped[date | None] = mapped_column(Date, default=None)
    exited_on: Mapped[date | None] = mapped_column(Date, default=None)
    exit_reason: Mapped[str] = mapped_column(String(500), default="")
    renewals: Mapped[int] = mapped_column(Integer, default=0)
    renewal_reminded_for: Mapped[date | None] = mapped_column(Date, default=None)
    screening_notes: Mapped[str] = mapped_column(Text, default="")


class Criterion(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A graduation criterion of an incubation: pending, met (with evidence) or waived by a named approver."""

    __tablename__ = "incubation_criterion"

    incubation_id: Mapped[int] = mapped_column(BigId, ForeignKey("incubation_case.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    evidence: Mapped[str] = mapped_column(String(500), default="")
    approver: Mapped[str] = mapped_column(String(50), default="")
    decided_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)
    decided_on: Mapped[date | None] = mapped_column(Date, default=None)


class Allocation(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A space given to an incubation from ``starts_on`` until ``ends_on`` (exclusive; open while ``None``)."""

    __tablename__ = "incubation_allocation"

    space_id: Mapped[int] = mapped_column(BigId, ForeignKey("incubation_space.id", ondelete="CASCADE"), index=True)
    incubation_id: Mapped[int] = mapped_column(BigId, ForeignKey("incubation_case.id", ondelete="CASCADE"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, default=None)
    release_due_on: Mapped[date | None] = mapped_column(Date, default=None)
    release_reminded: Mapped[bool] = mapped_column(Boolean, default=False)


class Session(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A supervision session (督导) of a mentor with an incubated organization."""

    __tablename__ = "incubation_session"

    incubation_id: Mapped[int] = mapped_column(BigId, ForeignKey("incubation_case.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("incubation_mentor.id", ondelete="SET NULL"), index=True, default=None
    )
    held_on: Mapped[date] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")


class ActionItem(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A task agreed in a supervision session, with its due date."""

    __tablename__ = "incubation_action_item"

    session_id: Mapped[int] = mapped_column(BigId, ForeignKey("incubation_session.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date, default=None)


class Training(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A training of an incubator."""

    __tablename__ = "incubation_training"

    incubator_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incubation_incubator.id", ondelete="CASCADE"), index=True
    )
    topic: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)


class Attendance(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """An organization's attendance at a training."""

    __tablename__ = "incubation_attendance"
    __table_args__ = (UniqueConstraint("training_id", "organization_id"),)

    training_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incubation_training.id", ondelete="CASCADE"), index=True
    )
    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    attended: Mapped[bool] = mapped_column(Boolean, default=True)


class Instrument(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A version of the capacity-assessment instrument: dimensions, each with indicators (JSON)."""

    __tablename__ = "incubation_instrument"
    __table_args__ = (UniqueConstraint("district_id", "version"),)

    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    dimensions: Mapped[list[dict[str, object]]] = mapped_column(JsonB, default=list)


class Assessment(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A capacity assessment: a score 0–5 per dimension of the instrument version it used."""

    __tablename__ = "incubation_assessment"

    incubation_id: Mapped[int] = mapped_column(BigId, ForeignKey("incubation_case.id", ondelete="CASCADE"), index=True)
    instrument_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("incubation_instrument.id", ondelete="RESTRICT"), index=True
    )
    phase: Mapped[str] = mapped_column(String(10), default="intake")
    assessed_on: Mapped[date] = mapped_column(Date)
    assessor: Mapped[str] = mapped_column(String(50), default="")
    scores: Mapped[dict[str, float]] = mapped_column(JsonB, default=dict)


class HubEvaluation(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A hub organization's annual evaluation of one member organization."""

    __tablename__ = "incubation_hub_evaluation"
    __table_args__ = (UniqueConstraint("hub_id", "member_id", "year"),)

    hub_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(20), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


from plugins.incubation.models_instruments import IndicatorScore  # noqa: E402, F401  (indicator scores)
