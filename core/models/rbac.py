"""Roles of a district and the Casbin policy rules that give them permissions."""

from __future__ import annotations

from sqlalchemy import Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, DistrictScoped, IdPrimaryKey, Timestamps
from core.i18n import localized

__all__ = ("PolicyRule", "Role")


class Role(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A role in a district: the default ones, those plugins add, and those admins make."""

    __tablename__ = "roles"
    __table_args__ = (UniqueConstraint("district_id", "key"),)

    key: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)
    plugin_key: Mapped[str] = mapped_column(String(64), default="")

    def name(self, locale: str) -> str:
        """The role's name in ``locale``."""
        return localized(self.name_zh, self.name_en, locale)


class PolicyRule(IdPrimaryKey, DistrictScoped, Base):
    """One Casbin ``p`` rule: role ``subject`` may do ``action`` on ``resource`` in the district.

    Role assignments (Casbin ``g`` rules) are not stored here: they come from
    :class:`~core.models.user.Membership`, so there is one source for each fact.
    """

    __tablename__ = "policy_rules"
    __table_args__ = (UniqueConstraint("district_id", "subject", "resource", "action"),)

    subject: Mapped[str] = mapped_column(String(64))
    resource: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
