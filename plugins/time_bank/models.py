"""The time bank's tables. Names start with ``time_bank_``; hours themselves live in the core ledger.

Nothing here holds a balance: every account is a ``core.ledger`` account (unit
``minutes``), every movement a ledger transfer. These tables hold what the ledger does
not know: banks and their rules, members, offers, the service behind a case, activities,
the catalogue, badges and imported paper slips.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, BigId, DistrictScoped, IdPrimaryKey, JsonB, Timestamps, localized, utcnow

__all__ = (
    "Activity",
    "Badge",
    "Bank",
    "CatalogueItem",
    "Category",
    "FamilyLink",
    "Member",
    "MemberStatus",
    "Offer",
    "Service",
    "Signup",
    "Slip",
)


class Bank(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A time bank run by a social organization, with its own rules (minutes everywhere)."""

    __tablename__ = "time_bank_bank"
    __table_args__ = (UniqueConstraint("district_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    organization: Mapped[str] = mapped_column(String(200))  # the name of the social organization that runs it
    # That organization in the core's registry (its name is copied into ``organization``); None: not registered.
    organization_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    org_unit_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("org_units.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(Text, default="")
    min_balance: Mapped[int] = mapped_column(Integer, default=0)
    max_balance: Mapped[int | None] = mapped_column(Integer, default=None)
    yearly_cap: Mapped[int | None] = mapped_column(Integer, default=None)  # earned per member per calendar year
    expiry_months: Mapped[int | None] = mapped_column(Integer, default=None)  # unused hours go back after this
    gift_yearly_max: Mapped[int | None] = mapped_column(Integer, default=None)  # 转赠 per member per year
    # [{"key", "name", "threshold", "bonus", "period": "year"|"ever"}], minutes; see accounts.apply_incentives
    incentives: Mapped[list[dict[str, Any]]] = mapped_column(JsonB, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Category(IdPrimaryKey, DistrictScoped, Base):
    """A service category a bank counts, with its rate (hours credited per 100 hours served)."""

    __tablename__ = "time_bank_category"
    __table_args__ = (UniqueConstraint("bank_id", "key"),)

    bank_id: Mapped[int] = mapped_column(BigId, ForeignKey("time_bank_bank.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    name_zh: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60), default="")
    rate_percent: Mapped[int] = mapped_column(Integer, default=100)  # 0: not counted
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, locale: str) -> str:
        return localized(self.name_zh, self.name_en, locale)


class MemberStatus:
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    LEFT = "left"


class Member(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A person in a bank: applied, then approved by the bank's staff; volunteer, resident and/or staff."""

    __tablename__ = "time_bank_member"
    __table_args__ = (UniqueConstraint("bank_id", "user_id"), Index("ix_time_bank_member_user", "user_id", "status"))

    bank_id: Mapped[int] = mapped_column(BigId, ForeignKey("time_bank_bank.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default=MemberStatus.APPLIED)
    is_volunteer: Mapped[bool] = mapped_column(Boolean, default=True)
    is_resident: Mapped[bool] = mapped_column(Boolean, default=False)
    is_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    skills: Mapped[list[str]] = mapped_column(JsonB, default=list)  # category keys
    areas: Mapped[list[int]] = mapped_column(JsonB, default=list)  # org unit ids
    availability: Mapped[list[str]] = mapped_column(JsonB, default=list)  # "mon_am", "sat_pm", …
    phone: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    decided_at: Mapped[datetime | None] = mapped_column(default=None)
    decided_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))


class FamilyLink(IdPrimaryKey, DistrictScoped, Base):
    """Two members of one family in a bank: hours may be given (转赠) between them, within the rules."""

    __tablename__ = "time_bank_family_link"
    __table_args__ = (UniqueConstraint("bank_id", "user_id", "relative_id"),)

    bank_id: Mapped[int] = mapped_column(BigId, ForeignKey("time_bank_bank.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    relative_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    relation: Mapped[str] = mapped_column(String(20))  # 父亲, 母亲, 祖母 …
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Offer(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A service a volunteer offers: a category, where and when."""

    __tablename__ = "time_bank_offer"

    bank_id: Mapped[int] = mapped_column(BigId, ForeignKey("time_bank_bank.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    area_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("org_units.id", ondelete="SET NULL"))
    availability: Mapped[list[str]] = mapped_column(JsonB, default=list)
    description: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Service(IdPrimaryKey, DistrictScoped, Base):
    """The time-bank side of a ``time_bank_service`` case: who serves whom, how long, what was credited."""

    __tablename__ = "time_bank_service"
    __table_args__ = (UniqueConstraint("case_id"), Index("ix_time_bank_service_bank", "bank_id", "category"))

    case_id: Mapped[int] = mapped_column(BigId, ForeignKey("cases.id", ondelete="CASCADE"))
    bank_id: Mapped[int] = mapped_column(BigId, ForeignKey("time_bank_bank.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(40))
    area_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("org_units.id", ondelete="SET NULL"))
    served_user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    volunteer_user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), index=True, default=None
    )
    wanted_on: Mapped[date | None] = mapped_column(Date, default=None)
    served_on: Mapped[date | None] = mapped_column(Date, default=None)
    minutes: Mapped[int | None] = mapped_column(Integer, default=None)  # recorded by the volunteer
    credited_minutes: Mapped[int | None] = mapped_column(Integer, default=None)
    transfer_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ledger_transfers.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Activity(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A group activity (e.g. a patrol, 10 volunteers × 2 hours); attendance credited in one transfer."""

    __tablename__ = "time_bank_activity"

    bank_id: Mapped[int] = mapped_column(BigId, ForeignKey("time_bank_bank.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(40))
    area_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("org_units.id", ondelete="SET NULL"))
    place: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime] = mapped_column()
    minutes: Mapped[int] = mapped_column(Integer)  # per person
    capacity: Mapped[int] = mapped_column(Integer, default=10)
    description: Mapped[str] = mapped_column(Text, default="")
    checkin_token: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | credited | cancelled
    transfer_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ledger_transfers.id"), default=None)
    created_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))


class Signup(IdPrimaryKey, DistrictScoped, Base):
    """A volunteer signed up for an activity; ``attended_at`` once checked in (QR code or staff)."""

    __tablename__ = "time_bank_signup"
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    activity_id: Mapped[int] = mapped_column(BigId, ForeignKey("time_bank_activity.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    signed_up_at: Mapped[datetime] = mapped_column(default=utcnow)
    attended_at: Mapped[datetime | None] = mapped_column(default=None)
    checkin_method: Mapped[str] = mapped_column(String(8), default="")  # qr | staff
    credited_minutes: Mapped[int | None] = mapped_column(Integer, default=None)


class CatalogueItem(IdPrimaryKey, DistrictScoped, Base):
    """A service of the bank's catalogue a member can spend hours on (理发, 助餐 …)."""

    __tablename__ = "time_bank_catalogue_item"

    bank_id: Mapped[int] = mapped_column(BigId, ForeignKey("time_bank_bank.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(40), default="")
    price: Mapped[int] = mapped_column(Integer)  # minutes
    description: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Badge(IdPrimaryKey, DistrictScoped, Base):
    """An incentive rule met by a member in a period; at most one per (bank, member, rule, period)."""

    __tablename__ = "time_bank_badge"
    __table_args__ = (UniqueConstraint("bank_id", "user_id", "rule_key", "period"),)

    bank_id: Mapped[int] = mapped_column(BigId, ForeignKey("time_bank_bank.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    rule_key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(60))
    period: Mapped[str] = mapped_column(String(10))  # "2026" or "ever"
    transfer_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ledger_transfers.id"), default=None)
    awarded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Slip(IdPrimaryKey, DistrictScoped, Base):
    """One imported paper service slip (纸质服务单), credited like a verified service."""

    __tablename__ = "time_bank_slip"
    __table_args__ = (UniqueConstraint("bank_id", "batch", "row"),)

    bank_id: Mapped[int] = mapped_column(BigId, ForeignKey("time_bank_bank.id", ondelete="CASCADE"), index=True)
    batch: Mapped[str] = mapped_column(String(64))  # sha256 of the file: the same file imports once
    row: Mapped[int] = mapped_column(Integer)
    volunteer_user_id: Mapped[int] = mapped_column(BigId, ForeignKey("users.id", ondelete="CASCADE"))
    served_user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(40))
    served_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int] = mapped_column(Integer)
    credited_minutes: Mapped[int] = mapped_column(Integer, default=0)
    transfer_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("ledger_transfers.id"), default=None)
    imported_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
