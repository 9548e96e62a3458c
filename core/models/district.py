"""Districts (tenants) and their tree of org units."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps
from core.i18n import localized

__all__ = ("District", "OrgUnit", "OrgUnitKind", "localized_name")


def localized_name(name_zh: str, name_en: str | None, locale: str) -> str:
    """A name in ``locale``: the English one for English when there is one, else the Chinese one."""
    return localized(name_zh, name_en, locale)


class District(IdPrimaryKey, Timestamps, Base):
    """A district (区): the tenant. It enables the modules it needs."""

    __tablename__ = "districts"
    __table_args__ = (CheckConstraint("length(code) >= 2", name="code_length"),)

    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    # Short prefix of human case references, e.g. "HS" in HS-2026-000123.
    ref_prefix: Mapped[str] = mapped_column(String(8), default="")
    # Bumped whenever a role, a permission or a membership of the district changes, so
    # every worker process reloads its cached Casbin enforcer for the district.
    policy_version: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped when a plugin is enabled or disabled for the district (hook callers cache).
    plugins_version: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped when the district's working-day calendar is edited (core.workdays caches).
    calendar_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    def name(self, locale: str) -> str:
        """The district's name in ``locale`` (English falls back to Chinese)."""
        return localized_name(self.name_zh, self.name_en, locale)


class OrgUnitKind(enum.StrEnum):
    """Levels of the place hierarchy inside a district."""

    STREET = "street"  # 街道 / 镇: street office or town
    COMMUNITY = "community"  # 社区
    ESTATE = "estate"  # 小区
    ORGANIZATION = "organization"  # 社会组织 / 社工机构 registered in the district
    DEPARTMENT = "department"  # 职能部门 (民政, 城管, 交警 ...)


# Which kind may sit under which: street → community → estate.
ALLOWED_PARENTS: dict[OrgUnitKind, set[OrgUnitKind | None]] = {
    OrgUnitKind.STREET: {None},
    OrgUnitKind.COMMUNITY: {OrgUnitKind.STREET, None},
    OrgUnitKind.ESTATE: {OrgUnitKind.COMMUNITY},
    OrgUnitKind.ORGANIZATION: {None, OrgUnitKind.STREET, OrgUnitKind.COMMUNITY},
    OrgUnitKind.DEPARTMENT: {None, OrgUnitKind.STREET},
}


class OrgUnit(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A street office, town, community, estate, organization or department of a district."""

    __tablename__ = "org_units"
    __table_args__ = (UniqueConstraint("district_id", "code"),)

    parent_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[OrgUnitKind] = mapped_column(
        Enum(OrgUnitKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    code: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")

    parent: Mapped[OrgUnit | None] = relationship(remote_side="OrgUnit.id", lazy="raise")

    def name(self, locale: str) -> str:
        """The unit's name in ``locale`` (English falls back to Chinese)."""
        return localized_name(self.name_zh, self.name_en, locale)
