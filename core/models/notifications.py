"""Notices for people: one row per recipient and event, and each person's preferences.

A notice is written in the same transaction as the change that caused it (a comment, an
assignment, a council decision): if the change is rolled back, so is the notice. The row
is the in-app delivery and, for other channels (SMS, messaging apps), the outbox:
``sent_at`` / ``digested_at`` say when it went out (see :mod:`core.notifications`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId, DistrictScoped, IdPrimaryKey, JsonB, utcnow

__all__ = ("DELIVERY_MODES", "Notification", "NotificationPreference")

DELIVERY_MODES = ("instant", "digest")


class Notification(IdPrimaryKey, DistrictScoped, Base):
    """One notice for one user: its kind and parameters (rendered in the reader's language when shown)."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_read", "user_id", "read_at", "created_at"),
        # At most one notice per user and key (e.g. "due soon" once per case and due date).
        UniqueConstraint("district_id", "user_id", "dedupe_key"),
    )

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    link: Mapped[str] = mapped_column(String(300), default="")
    digest: Mapped[bool] = mapped_column(Boolean, default=False)  # other channels: in the daily digest, not at once
    dedupe_key: Mapped[str | None] = mapped_column(String(160), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    digested_at: Mapped[datetime | None] = mapped_column(default=None)


class NotificationPreference(IdPrimaryKey, DistrictScoped, Base):
    """A user's choice for one kind of notice in one district: on or off, at once or in the daily digest."""

    __tablename__ = "notification_preferences"
    __table_args__ = (
        UniqueConstraint("district_id", "user_id", "kind"),
        CheckConstraint("mode IN ('instant', 'digest')", name="mode"),
    )

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(80))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    mode: Mapped[str] = mapped_column(String(16), default="instant")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
