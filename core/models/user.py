"""People who log in, and what they are in each district."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ColumnElement, ForeignKey, String, UniqueConstraint, func
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId, IdPrimaryKey, Timestamps

__all__ = ("Membership", "User")


class User(IdPrimaryKey, Timestamps, Base):
    """An account. What it may do comes from its memberships."""

    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(20), default="")
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str] = mapped_column(String(10), default="")
    password_changed_at: Mapped[datetime | None] = mapped_column(default=None)

    @hybrid_property
    def label(self) -> str:
        """What the UI shows for this user (also a column expression: ``select(User.id, User.label)``)."""
        return self.display_name or self.username

    @label.inplace.expression
    @classmethod
    def _label_expression(cls) -> ColumnElement[str]:
        return func.coalesce(func.nullif(cls.display_name, ""), cls.username)


class Membership(IdPrimaryKey, Timestamps, Base):
    """A user's role in a district, optionally limited to one org unit (and its subtree)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "district_id", "role_key", "org_unit_id"),)

    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    district_id: Mapped[int] = mapped_column(BigId, ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("org_units.id", ondelete="SET NULL"))
    role_key: Mapped[str] = mapped_column(String(64))
