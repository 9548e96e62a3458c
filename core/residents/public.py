"""What plugins may use of the residents registry (documented in ``docs/residents.md``).

Each function takes the request's district-bound session (``ctx.session``), so it sees the
district's people only. Nothing here checks permissions: the plugin's own route does
(``ctx.require("resident", "view")`` or its own resource), and a plugin that shows a phone
to someone without ``resident:view_sensitive`` masks it with :func:`mask_phone`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.models import Household, HouseholdMember, OrgUnit, Person, Vehicle
from core.residents import service
from core.residents.validation import (
    area_from_hundredths,
    mask_id_number,
    mask_phone,
    normalize_phone,
    normalize_plate,
)

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "Member",
    "Owner",
    "estate_floor_area",
    "estate_owners",
    "find_people_by_phone",
    "household_members",
    "household_vehicles",
    "mask_id_number",
    "mask_phone",
    "normalize_phone",
    "normalize_plate",
)

OWNER_RELATIONS = ("owner", "co_owner")


@dataclass(frozen=True)
class Member:
    """A member of a household: the person's id, name, normalised phone, and relation."""

    person_id: int
    name: str
    phone: str
    relation: str


@dataclass(frozen=True)
class Owner:
    """One household of an estate's owners' electorate: its floor area (exact m²) and owners."""

    household_id: int
    address: str
    area: Decimal
    owner_ids: tuple[int, ...]
    owner_names: tuple[str, ...]


async def find_people_by_phone(session: AsyncSession, phone: str) -> list[Person]:
    """The district's people with this phone (any accepted spelling); several when a family shares a landline."""
    number = normalize_phone(phone)
    if number is None:
        return []
    query = select(Person).where(Person.phone == number).order_by(Person.name, Person.id)
    return list((await session.execute(query)).scalars())


async def household_members(session: AsyncSession, household_id: int) -> list[Member]:
    """The members of a household, owners first ([] when it is not in the district)."""
    rows = await service.household_members(session, household_id)
    return [Member(p.id, p.name, p.phone, m.relation) for m, p in rows]


async def estate_owners(session: AsyncSession, estate_id: int, locale: str = "zh_CN") -> list[Owner]:
    """Each household of the estate that has an owner and a recorded floor area, with its owners.

    For owners' votes (民法典 Art. 278): the households are the exclusive parts, ``area``
    their exact floor area; headcount is the number of households (co-owners of one
    household count as one owner). Households without an owner or an area are left out.
    """
    estate = (await session.execute(select(OrgUnit).where(OrgUnit.id == estate_id))).scalar_one_or_none()
    query = (
        select(Household, Person)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .join(Person, Person.id == HouseholdMember.person_id)
        .where(
            Household.estate_id == estate_id,
            Household.area_centi.is_not(None),
            HouseholdMember.relation.in_(OWNER_RELATIONS),
        )
        .order_by(Household.building, Household.unit, Household.room, Household.id, Person.id)
    )
    grouped: dict[int, tuple[Household, list[Person]]] = {}
    for household, person in (await session.execute(query)).tuples():
        grouped.setdefault(household.id, (household, []))[1].append(person)
    return [
        Owner(
            household_id=h.id,
            address=service.household_address(h, estate, locale),
            area=area_from_hundredths(h.area_centi),
            owner_ids=tuple(p.id for p in people),
            owner_names=tuple(p.name for p in people),
        )
        for h, people in grouped.values()
    ]


async def estate_floor_area(session: AsyncSession, estate_id: int) -> Decimal:
    """The exact total recorded floor area of an estate's households in m² (0 when none)."""
    return (await service.estate_summary(session, estate_id)).total_area


async def household_vehicles(session: AsyncSession, household_id: int) -> list[str]:
    """The plates recorded for a household, sorted."""
    query = select(Vehicle.plate).where(Vehicle.household_id == household_id).order_by(Vehicle.plate)
    return list((await session.execute(query)).scalars())
