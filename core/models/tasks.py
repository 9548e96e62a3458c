"""Linked tasks of a case: a referral to a hospital, a follow-up … with partner, follower, due date and status."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId, DistrictScoped, IdPrimaryKey, utcnow

__all__ = ("CaseTask",)


class CaseTask(IdPrimaryKey, DistrictScoped, Base):
    """One task of a case (``core.tasks``): what is to be done, with whom outside, who follows it up, by when.

    ``kind`` is data (``referral``, ``follow_up`` … or a plugin's own); ``partner`` is the
    agency or person outside the system it goes to (a hospital, legal aid, the community),
    ``follower_id`` the staff member who follows it up. ``version`` grows with every change:
    a change is written only if the version the user saw is still the stored one.
    """

    __tablename__ = "case_tasks"
    __table_args__ = (
        # 我的任务: a follower's open tasks by due date.
        Index("ix_case_tasks_follower", "district_id", "follower_id", "status", "due_on"),
        # The due-soon job: open tasks by due date.
        Index("ix_case_tasks_due", "district_id", "status", "due_on"),
    )

    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    partner: Mapped[str] = mapped_column(String(100), default="")
    partner_contact: Mapped[str] = mapped_column(String(100), default="")
    partner_kind: Mapped[str] = mapped_column(String(32), default="")  # medical, legal, counselling …
    follower_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    due_on: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
