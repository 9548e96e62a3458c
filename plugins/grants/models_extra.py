"""Tables added by the grants remainder: application attachments, the builder form a call uses and each
application's answers, reviewer pools and each call's quota per pool, co-funder payments, the agreement's budget lines.

Imported by one line at the end of ``models.py``; created by ``migrations/versions/0003_extra.py`` (budget
lines: ``0004_budget.py``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, JsonB, Timestamps

__all__ = ("GrantAnswers", "GrantAppFile", "GrantBudgetLine", "GrantCallForm", "GrantCoPayment", "GrantPoolMember")


class GrantAppFile(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A document attached to an application (the core's file storage keeps the bytes)."""

    __tablename__ = "grants_app_file"

    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("grants_application.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(300))  # the storage key
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


class GrantCallForm(IdPrimaryKey, DistrictScoped, Base):
    """A call's extra settings: the builder case type whose form holds the application's questions, and how
    many reviewers each pool gives every application."""

    __tablename__ = "grants_call_form"
    __table_args__ = (UniqueConstraint("call_id"),)

    call_id: Mapped[int] = mapped_column(BigId, ForeignKey("grants_call.id", ondelete="CASCADE"))
    case_type_key: Mapped[str] = mapped_column(String(100), default="")
    pool_quota: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)  # pool → reviewers per application


class GrantAnswers(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """An application's answers to its call's builder form (validated by the core's forms engine)."""

    __tablename__ = "grants_answers"
    __table_args__ = (UniqueConstraint("application_id"),)

    application_id: Mapped[int] = mapped_column(BigId, ForeignKey("grants_application.id", ondelete="CASCADE"))
    case_type_key: Mapped[str] = mapped_column(String(100))
    answers: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)


class GrantPoolMember(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A reviewer in a pool (expert, finance, community representative), optionally for some categories."""

    __tablename__ = "grants_pool_member"
    __table_args__ = (UniqueConstraint("district_id", "user_id", "pool"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    pool: Mapped[str] = mapped_column(String(20))  # expert | finance | community
    categories: Mapped[list[str]] = mapped_column(JsonB, default=list)  # category names; empty = every category


class GrantCoPayment(IdPrimaryKey, DistrictScoped, Base):
    """A co-funder's committed money paid into the project's ledger account (once per funder)."""

    __tablename__ = "grants_co_payment"
    __table_args__ = (UniqueConstraint("funder_id"),)

    funder_id: Mapped[int] = mapped_column(BigId, ForeignKey("grants_funder.id", ondelete="CASCADE"))
    amount_fen: Mapped[int] = mapped_column(BigId)
    transfer_id: Mapped[int] = mapped_column(BigId)
    paid_at: Mapped[datetime]
    paid_by: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), default=None)


class GrantBudgetLine(IdPrimaryKey, DistrictScoped, Base):
    """A line of a signed agreement's budget (预算科目): what the project plans to spend on it, in fen."""

    __tablename__ = "grants_budget_line"
    __table_args__ = (UniqueConstraint("application_id", "line"),)

    application_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("grants_application.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    line: Mapped[str] = mapped_column(String(100))
    planned_fen: Mapped[int] = mapped_column(BigId)
