"""Case types (versioned per district), cases, their timeline, attachments and queues."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId, DistrictScoped, IdPrimaryKey, JsonB, utcnow

__all__ = ("Attachment", "Case", "CaseCounter", "CaseEvent", "CaseRead", "CaseTypeVersion", "SavedQueue")


class CaseTypeVersion(IdPrimaryKey, DistrictScoped, Base):
    """One version of a case type in a district. Published versions never change."""

    __tablename__ = "case_type_versions"
    __table_args__ = (UniqueConstraint("district_id", "key", "version"),)

    key: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="published")  # draft | published | retired
    source: Mapped[str] = mapped_column(String(80), default="core")  # core | plugin:<key> | builder | import
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    definition: Mapped[dict[str, Any]] = mapped_column(JsonB)
    checksum: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None] = mapped_column(default=None)


class CaseCounter(Base):
    """The last reference number given in a district and year (``HS-2026-000123``)."""

    __tablename__ = "case_counters"

    district_id: Mapped[int] = mapped_column(BigId, ForeignKey("districts.id", ondelete="CASCADE"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Case(IdPrimaryKey, DistrictScoped, Base):
    """A case: its queue-relevant facts are columns (indexed), its form data is JSON."""

    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("district_id", "reference"),
        # Queue pages: open cases by due date / by update, per assignee, per team, per type.
        Index("ix_cases_queue_open_due", "district_id", "is_open", "due_at", "id"),
        Index("ix_cases_queue_updated", "district_id", "updated_at", "id"),
        Index("ix_cases_assignee", "district_id", "assignee_id", "is_open", "updated_at"),
        Index("ix_cases_team", "district_id", "team_id", "is_open", "updated_at"),
        Index("ix_cases_type_state", "district_id", "case_type_key", "state", "updated_at"),
        # The case page's related cases: the same contact phone in the district.
        Index("ix_cases_contact_phone", "district_id", "contact_phone"),
    )

    case_type_key: Mapped[str] = mapped_column(String(64))
    case_type_version_id: Mapped[int] = mapped_column(BigId, ForeignKey("case_type_versions.id", ondelete="RESTRICT"))
    reference: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(48))
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    data: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    assignee_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("org_units.id", ondelete="SET NULL"))
    priority: Mapped[int] = mapped_column(SmallInteger, default=1)  # 0 low, 1 normal, 2 high, 3 urgent
    channel: Mapped[str] = mapped_column(String(16), default="web")
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    # SLA clock: working seconds left when the clock was paused in a waiting state, and
    # the state whose SLA it belongs to (resumed when the case returns to that state).
    sla_remaining: Mapped[int | None] = mapped_column(Integer, default=None)
    sla_state: Mapped[str | None] = mapped_column(String(48), default=None)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    event_seq: Mapped[int] = mapped_column(Integer, default=0)
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The first phone-type field of the form that has a value (kept by core.cases.writes).
    contact_phone: Mapped[str | None] = mapped_column(String(32), default=None)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)


class CaseEvent(IdPrimaryKey, DistrictScoped, Base):
    """One entry of a case's timeline. Append-only; each is hash-chained to the one before."""

    __tablename__ = "case_events"
    __table_args__ = (UniqueConstraint("case_id", "seq"),)

    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    payload: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class CaseRead(IdPrimaryKey, DistrictScoped, Base):
    """One read of a case whose type audits reads (``audit_reads``): who, when, which case, how (append-only).

    ``via`` is ``page`` (the case page), ``fragment`` (a part of it loaded by htmx), ``api``
    (the JSON API), ``file`` (a file of the case downloaded), ``export`` (a row of a queue
    export) or ``service`` (code acting as the user: the command line, a job).
    """

    __tablename__ = "case_reads"
    __table_args__ = (Index("ix_case_reads_case_id_at", "case_id", "at"),)

    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    via: Mapped[str] = mapped_column(String(16))


class Attachment(IdPrimaryKey, DistrictScoped, Base):
    """A file attached to a case, kept by a storage backend (local disk under ``var/`` by default)."""

    __tablename__ = "attachments"

    case_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    uploaded_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SavedQueue(IdPrimaryKey, DistrictScoped, Base):
    """A queue: shared by the district (``owner_id`` empty) or a user's own saved filter."""

    __tablename__ = "saved_queues"
    __table_args__ = (UniqueConstraint("district_id", "owner_id", "key"),)

    owner_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    label_zh: Mapped[str] = mapped_column(String(100))
    label_en: Mapped[str] = mapped_column(String(100), default="")
    filters: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    columns: Mapped[list[str]] = mapped_column(JsonB, default=list)
    sort: Mapped[str] = mapped_column(String(32), default="-updated_at")
    roles: Mapped[list[str]] = mapped_column(JsonB, default=list)
    position: Mapped[int] = mapped_column(Integer, default=100)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
