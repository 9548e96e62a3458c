"""What plugins may use of the residents registry (documented in ``docs/residents.md``).

Each function takes the request's district-bound session (``ctx.session``), so it sees the
district's people only. Nothing here checks permissions: the plugin's own route does
(``ctx.require("resident", "view")`` or its own resource), and a plugin that shows a phone
to someone without ``resident:view_sensitive`` masks it with :func:`mask_phone`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, update

from core.db.base import utcnow
from core.forms.formats import (
    area_from_hundredths,
    area_to_hundredths,
    id_number_birth_date,
    mask_id_number,
    mask_phone,
    normalize_phone,
    normalize_plate,
)
from core.models import Household, HouseholdMember, OrgUnit, Person, Vehicle
from core.residents import service

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "Applicant",
    "Member",
    "NewHousehold",
    "Owner",
    "UserHousehold",
    "add_resident",
    "age_of",
    "estate_floor_area",
    "estate_owners",
    "find_applicants",
    "find_people_by_phone",
    "gender_of",
    "household_logins",
    "household_members",
    "household_vehicles",
    "households_of_plate",
    "households_of_user",
    "is_household_member",
    "mask_id_number",
    "mask_phone",
    "normalize_phone",
    "normalize_plate",
    "register_households",
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
class UserHousehold:
    """A household a user's person record belongs to: its estate, address and the person's relation."""

    household_id: int
    estate_id: int
    address: str
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


def _years_between(born: date, on: date) -> int:
    """Whole years from ``born`` to ``on``: a 29 February birthday comes round on 1 March in other years."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


async def age_of(session: AsyncSession, person_id: int, on: date) -> int | None:
    """The person's age in whole years on ``on``, from the recorded birth date or else the ID number's.

    ``None`` when the person is not in the district, neither date is known, or ``on`` is before the
    birth. The birth date itself never leaves the registry: a plugin learns only the age.
    """
    row = (await session.execute(select(Person.birth_date, Person.id_number).where(Person.id == person_id))).first()
    if row is None:
        return None
    born, number = row
    if born is None and number:
        try:
            born = id_number_birth_date(number)
        except ValueError:
            return None
    if born is None or on < born:
        return None
    return _years_between(born, on)


async def gender_of(session: AsyncSession, person_id: int) -> str | None:
    """``"female"`` or ``"male"``: the recorded gender, or else the ID number's 17th digit (odd: male).

    ``None`` when the person is not in the district or neither is known. The ID number never
    leaves the registry: a plugin learns only the gender.
    """
    row = (await session.execute(select(Person.gender, Person.id_number).where(Person.id == person_id))).first()
    if row is None:
        return None
    gender, number = row
    if gender:
        return str(gender)
    if number and len(number) == 18 and number[16].isdigit():
        return "male" if int(number[16]) % 2 else "female"
    return None


async def is_household_member(
    session: AsyncSession,
    person_id: int,
    *,
    within: int | None = None,
    relations: tuple[str, ...] | None = None,
) -> bool | None:
    """Whether the person is a member of a household of the district (yes / no / unknown).

    ``within``: only households whose estate is that org unit or lies under it (a street, a
    community, an estate). ``relations``: only memberships with one of these relations
    (``owner``, ``co_owner``, ``tenant``, ``family``, ``other``). ``None`` (unknown) when the
    person is not in the district or belongs to no household at all; a plugin learns the answer,
    never the address.
    """
    if (await session.execute(select(Person.id).where(Person.id == person_id))).first() is None:
        return None
    query = (
        select(Household.estate_id, HouseholdMember.relation)
        .join(HouseholdMember, HouseholdMember.household_id == Household.id)
        .where(HouseholdMember.person_id == person_id)
    )
    memberships = list((await session.execute(query)).tuples())
    if not memberships:
        return None
    wanted = [estate for estate, relation in memberships if relations is None or relation in relations]
    if within is None or not wanted:
        return bool(wanted)
    units = dict(list((await session.execute(select(OrgUnit.id, OrgUnit.parent_id))).tuples()))
    for estate in wanted:
        unit: int | None = estate
        for _level in range(len(units) + 1):  # street → community → estate; the bound guards a cycle
            if unit is None:
                break
            if unit == within:
                return True
            unit = units.get(unit)
    return False


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


async def households_of_plate(session: AsyncSession, plate: str) -> list[int]:
    """The households a plate is recorded for (normalised first; usually one, [] when unknown)."""
    number = normalize_plate(plate)
    if not number:
        return []
    query = select(Vehicle.household_id).where(Vehicle.plate == number, Vehicle.household_id.is_not(None))
    return sorted({int(h) for h in (await session.execute(query)).scalars() if h is not None})


async def household_logins(session: AsyncSession, household_id: int) -> list[int]:
    """The user ids of the household's members who have a login (to notify them), owners first."""
    rows = await service.household_members(session, household_id)
    ordered = sorted(rows, key=lambda mp: mp[0].relation not in OWNER_RELATIONS)
    return list(dict.fromkeys(p.user_id for _m, p in ordered if p.user_id))


async def households_of_user(session: AsyncSession, user_id: int, locale: str = "zh_CN") -> list[UserHousehold]:
    """The households of the people linked to ``user_id`` (a resident's own login), owners' first."""
    people = select(Person.id).where(Person.user_id == user_id)
    rows: list[UserHousehold] = []
    for person_id in (await session.execute(people)).scalars():
        for member, household, estate in await service.households_of(session, person_id):
            address = service.household_address(household, estate, locale)
            rows.append(UserHousehold(household.id, household.estate_id, address, member.relation))
    rows.sort(key=lambda r: (r.relation not in OWNER_RELATIONS, r.address))
    return rows


@dataclass(frozen=True)
class NewHousehold:
    """A household to register in bulk: its address in the estate, floor area (m²), one owner and their cars."""

    building: str
    unit: str
    room: str
    area: str
    owner: str
    phone: str = ""
    plates: tuple[str, ...] = ()


async def _ids_by_marker(session: AsyncSession, model: type[Household] | type[Person], marker: str) -> list[int]:
    """The ids of the rows just inserted with ``notes == marker``, in insertion order; the marker is cleared."""
    ids = list((await session.execute(select(model.id).where(model.notes == marker).order_by(model.id))).scalars())
    await session.execute(
        update(model).where(model.notes == marker).values(notes=""), execution_options={"synchronize_session": False}
    )
    return ids


async def register_households(
    session: AsyncSession, district_id: int, estate_id: int, rows: list[NewHousehold]
) -> list[int]:
    """Register many households at once (an import, demo data): each with its owner and cars; their ids in order.

    Areas and plates are checked as the forms check them (``ValueError`` names the row);
    eight bulk statements whatever the number of rows, so 500 households take a fraction of a second.
    """
    now = utcnow()
    stamps = {"district_id": district_id, "created_at": now, "updated_at": now}
    household_rows, plates_of = [], []
    for row in rows:
        area = area_to_hundredths(row.area)
        plates = [normalize_plate(p) for p in row.plates]
        if area is None or None in plates:
            raise ValueError(f"bad area or plate in {row}")
        household_rows.append(
            {
                **stamps,
                "estate_id": estate_id,
                "building": row.building,
                "unit": row.unit,
                "room": row.room,
                "area_centi": area,
                "notes": "",
            }
        )
        plates_of.append(plates)
    if not rows:
        return []
    # Plain executemany (batched on every backend), then the new ids back by a one-off marker in ``notes``.
    marker = f"register:{secrets.token_hex(8)}"
    for values in household_rows:
        values["notes"] = marker
    await session.execute(insert(Household), household_rows)
    household_ids = await _ids_by_marker(session, Household, marker)
    person_rows = [
        {
            **stamps,
            "name": row.owner,
            "phone": normalize_phone(row.phone) or "",
            "gender": "",
            "consent_method": "",
            "notes": marker,
        }
        for row in rows
    ]
    await session.execute(insert(Person), person_rows)
    person_ids = await _ids_by_marker(session, Person, marker)
    await session.execute(
        insert(HouseholdMember),
        [
            {"district_id": district_id, "household_id": h, "person_id": p, "relation": "owner"}
            for h, p in zip(household_ids, person_ids, strict=True)
        ],
    )
    vehicles = [
        {**stamps, "plate": plate, "household_id": h, "person_id": p, "notes": ""}
        for h, p, plates in zip(household_ids, person_ids, plates_of, strict=True)
        for plate in plates
    ]
    if vehicles:
        await session.execute(insert(Vehicle), vehicles)
    return household_ids


@dataclass(frozen=True)
class Applicant:
    """A person of the register as a form prefills from: the ID number masked, the first household's address."""

    person_id: int
    name: str
    phone: str
    id_number: str
    gender: str
    address: str


async def find_applicants(
    session: AsyncSession, query: str = "", *, person_id: int | None = None, locale: str = "zh_CN", limit: int = 10
) -> list[Applicant]:
    """People matching ``query`` by phone or name (as the registry's search), or the one ``person_id``.

    Each comes with the address of their first household (empty when they have none).
    """
    if person_id is not None:
        found = (await session.execute(select(Person).where(Person.id == person_id))).scalars().all()
        people = list(found)
    elif query.strip():
        people = await service.search_persons(session, query, limit=limit)
    else:
        return []
    out: list[Applicant] = []
    for person in people:
        households = await service.households_of(session, person.id)
        address = service.household_address(households[0][1], households[0][2], locale) if households else ""
        masked = mask_id_number(person.id_number)
        out.append(Applicant(person.id, person.name, person.phone, masked, person.gender, address))
    return out


async def add_resident(session: AsyncSession, district_id: int, user_id: int | None, name: str, phone: str) -> int:
    """Record a person met at a window or a visit (name and phone only: nothing sensitive, so no consent step).

    Returns the new person's id. Refused with the registry's own messages when the name or
    phone is not valid, or when the same name and phone are recorded already (409: choose
    that person instead). Written in the caller's transaction.
    """
    person = await service.create_person(session, district_id, user_id, {"name": name, "phone": phone})
    return person.id
