"""Residents and households (住户): people, households at an address, members, vehicles, the access log.

See :mod:`core.residents` and ``docs/residents.md``. A person is one row per district,
identified by name and phone together (a family may share a landline; the same name with
the same phone is the same person), and by the ID number when there is one. Floor areas
are whole hundredths of m² (``area_centi``), so the sums owners' votes need are exact.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db.base import Base, BigId, DistrictScoped, IdPrimaryKey, Timestamps, utcnow

__all__ = ("Household", "HouseholdMember", "Person", "SensitiveAccess", "Vehicle")

GENDERS = ("", "female", "male")
CONSENT_METHODS = ("", "written", "verbal", "online")
RELATIONS = ("owner", "co_owner", "tenant", "family", "other")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Person(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A resident known to the district: name, phone, optional ID number, the consent to keep it."""

    __tablename__ = "persons"
    __table_args__ = (
        UniqueConstraint("district_id", "name", "phone"),
        UniqueConstraint("district_id", "id_number"),
        CheckConstraint(_in("gender", GENDERS), name="gender"),
        CheckConstraint(_in("consent_method", CONSENT_METHODS), name="consent_method"),
    )

    name: Mapped[str] = mapped_column(String(50))
    # Normalised (core.forms.formats.normalize_phone); "" when unknown.
    phone: Mapped[str] = mapped_column(String(32), default="", index=True)
    id_number: Mapped[str | None] = mapped_column(String(18), nullable=True)
    gender: Mapped[str] = mapped_column(String(10), default="")
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    # Consent to keep sensitive data (ID number, birth date): when, how, who recorded it.
    consent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    consent_method: Mapped[str] = mapped_column(String(20), default="")
    consent_by_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The person's own login, when they have one (a resident may see their own record later).
    user_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )


class Household(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A household at an address: estate (an org unit of the estate level) → building → unit → room."""

    __tablename__ = "households"
    __table_args__ = (
        UniqueConstraint("district_id", "estate_id", "building", "unit", "room"),
        CheckConstraint("area_centi IS NULL OR area_centi > 0", name="area_positive"),
    )

    estate_id: Mapped[int] = mapped_column(BigId, ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)
    building: Mapped[str] = mapped_column(String(20))
    unit: Mapped[str] = mapped_column(String(20), default="")
    room: Mapped[str] = mapped_column(String(20))
    # Floor area (专有部分建筑面积) in hundredths of m²: 8950 is 89.50 m².
    area_centi: Mapped[int | None] = mapped_column(Integer, nullable=True)
    notes: Mapped[str] = mapped_column(Text, default="")


class HouseholdMember(IdPrimaryKey, DistrictScoped, Base):
    """A person's place in a household: owner, co-owner, tenant, family member, other."""

    __tablename__ = "household_members"
    __table_args__ = (
        UniqueConstraint("household_id", "person_id"),
        CheckConstraint(_in("relation", RELATIONS), name="relation"),
    )

    household_id: Mapped[int] = mapped_column(BigId, ForeignKey("households.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(BigId, ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(20))


class Vehicle(IdPrimaryKey, DistrictScoped, Timestamps, Base):
    """A vehicle by its plate (unique in the district), belonging to a person and/or a household."""

    __tablename__ = "vehicles"
    __table_args__ = (UniqueConstraint("district_id", "plate"),)

    plate: Mapped[str] = mapped_column(String(10))
    person_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("persons.id", ondelete="SET NULL"), nullable=True, index=True
    )
    household_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("households.id", ondelete="SET NULL"), nullable=True, index=True
    )
    notes: Mapped[str] = mapped_column(String(200), default="")


class SensitiveAccess(IdPrimaryKey, DistrictScoped, Base):
    """One view of a resident's full ID number: who, when, whose, what, why (append-only)."""

    __tablename__ = "sensitive_access_log"

    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(BigId, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    person_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("persons.id", ondelete="SET NULL"), nullable=True, index=True
    )
    what: Mapped[str] = mapped_column(String(20), default="id_number")
    # Where it was shown (page or API path) and the reason given, when one was.
    via: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(200), default="")
