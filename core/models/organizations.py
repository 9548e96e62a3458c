"""Social organizations (社会组织) of a district: the registry every module builds on."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db.base import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps

__all__ = (
    "MemberRole",
    "OrgKind",
    "OrgStatus",
    "Organization",
    "OrganizationArea",
    "OrganizationField",
    "OrganizationMember",
    "RegisteredType",
)


def _enum(cls: type[enum.Enum], length: int = 20) -> Enum:
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class OrgKind(enum.StrEnum):
    """How the organization stands with the civil-affairs bureau."""

    INFORMAL = "informal"  # 社区社会组织 / 群众团队, neither filed nor registered
    FILED = "filed"  # 备案: filed with the street office or the civil-affairs bureau
    REGISTERED = "registered"  # 登记: a legal person registered with civil affairs


class RegisteredType(enum.StrEnum):
    """The three kinds of registered social organization."""

    SOCIAL_GROUP = "social_group"  # 社会团体
    SOCIAL_SERVICE = "social_service"  # 社会服务机构 (民办非企业单位)
    FOUNDATION = "foundation"  # 基金会


class OrgStatus(enum.StrEnum):
    """Whether the organization is working."""

    ACTIVE = "active"  # 正常
    SUSPENDED = "suspended"  # 暂停活动
    DEREGISTERED = "deregistered"  # 已注销
    REVOKED = "revoked"  # 已撤销登记


class MemberRole(enum.StrEnum):
    """A district user's role in an organization."""

    LEADER = "leader"  # 负责人
    STAFF = "staff"  # 工作人员
    MEMBER = "member"  # 成员


STAFF_ROLES = frozenset({MemberRole.LEADER, MemberRole.STAFF})


class Organization(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A social organization: group, filed or registered; perhaps a hub supervising others."""

    __tablename__ = "organizations"
    __table_args__ = (
        UniqueConstraint("district_id", "name"),
        UniqueConstraint("district_id", "credit_code"),
        CheckConstraint(
            "(kind = 'registered' AND registered_type IS NOT NULL)"
            " OR (kind <> 'registered' AND registered_type IS NULL)",
            name="registered_type_iff_registered",
        ),
        CheckConstraint("hub_id IS NULL OR hub_id <> id", name="not_own_hub"),
    )

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[OrgKind] = mapped_column(_enum(OrgKind))
    registered_type: Mapped[RegisteredType | None] = mapped_column(_enum(RegisteredType), default=None)
    credit_code: Mapped[str | None] = mapped_column(String(18), default=None)
    filing_number: Mapped[str] = mapped_column(String(64), default="")
    legal_representative: Mapped[str] = mapped_column(String(50), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")
    contact_phone: Mapped[str] = mapped_column(String(20), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    is_hub: Mapped[bool] = mapped_column(default=False)
    hub_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("organizations.id", ondelete="SET NULL"), index=True, default=None
    )
    founded_on: Mapped[date | None] = mapped_column(Date, default=None)
    filed_on: Mapped[date | None] = mapped_column(Date, default=None)
    registered_on: Mapped[date | None] = mapped_column(Date, default=None)
    status: Mapped[OrgStatus] = mapped_column(_enum(OrgStatus), default=OrgStatus.ACTIVE, index=True)
    # Optimistic lock: an edit based on an older version is refused (409), never silently lost.
    version: Mapped[int] = mapped_column(Integer, default=1)

    fields: Mapped[list[OrganizationField]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="OrganizationField.field"
    )
    areas: Mapped[list[OrganizationArea]] = relationship(lazy="selectin", cascade="all, delete-orphan")

    @property
    def field_keys(self) -> list[str]:
        """The service fields' keys (``elderly``, ``youth`` …)."""
        return [f.field for f in self.fields]

    @property
    def area_ids(self) -> list[int]:
        """The ids of the org units it serves."""
        return sorted(a.org_unit_id for a in self.areas)


class OrganizationField(Base):
    """A service field (服务领域) of an organization."""

    __tablename__ = "organization_fields"

    organization_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class OrganizationArea(Base):
    """An org unit (street, community, estate) an organization serves (服务区域)."""

    __tablename__ = "organization_areas"

    organization_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    org_unit_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("org_units.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class OrganizationMember(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A district user's role in an organization: leader (负责人), staff (工作人员) or member (成员)."""

    __tablename__ = "organization_members"
    __table_args__ = (UniqueConstraint("organization_id", "user_id"),)

    organization_id: Mapped[int] = mapped_column(BigId, ForeignKey("organizations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[MemberRole] = mapped_column(_enum(MemberRole, 16))
    title: Mapped[str] = mapped_column(String(50), default="")
