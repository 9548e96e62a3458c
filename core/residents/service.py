"""Residents and households: checking input, creating, changing, searching, the access log.

Every function takes a session bound to the district (``ctx.session``): reads are scoped
by :mod:`core.db.tenancy`; inserts are given the ``district_id``. Bad input raises a
:class:`~core.refusal.ServiceError` with a message per field, and nothing is written.

Who a person is: a person is unique in the district by **name and phone together** (so a
family sharing a landline are several people, and the same name with the same phone is the
same person), and by ID number when one is recorded. Two desks registering the same
caller at the same moment: the second gets a 409 naming the existing record, enforced by
the database's unique constraints, not by a look-up first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from core.db.base import utcnow
from core.forms.formats import (
    area_from_hundredths,
    area_to_hundredths,
    id_number_birth_date,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_phone,
    normalize_plate,
)
from core.i18n import TIMEZONE
from core.i18n import gettext as _
from core.models import Case, Household, HouseholdMember, OrgUnit, OrgUnitKind, Person, SensitiveAccess, Vehicle
from core.models.residents import CONSENT_METHODS, GENDERS, RELATIONS
from core.refusal import ConflictError, NotFoundError, ServiceError, raise_if

if TYPE_CHECKING:
    from collections.abc import Mapping
    from decimal import Decimal

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = (
    "PERSON_FIELDS",
    "EstateSummary",
    "add_member",
    "add_vehicle",
    "cases_of",
    "consent_label",
    "create_household",
    "create_person",
    "estate_summary",
    "estates",
    "gender_label",
    "get_household",
    "get_person",
    "household_address",
    "household_members",
    "households_of",
    "list_households",
    "log_id_view",
    "person_out",
    "relation_label",
    "remove_member",
    "remove_vehicle",
    "search_persons",
    "update_household",
    "update_person",
    "vehicles_of",
)

PERSON_FIELDS = ("name", "phone", "id_number", "gender", "birth_date", "consent_method", "notes")
HOUSEHOLD_FIELDS = ("estate_id", "building", "unit", "room", "area", "notes")
SEARCH_LIMIT = 20


def relation_label(relation: str) -> str:
    """The translated relation of a person to a household."""
    labels = {
        "owner": _("Owner"),
        "co_owner": _("Co-owner"),
        "tenant": _("Tenant"),
        "family": _("Family member"),
        "other": _("Other"),
    }
    return labels.get(relation, relation)


def gender_label(gender: str) -> str:
    """The translated gender ("" when not recorded)."""
    return {"female": _("Female"), "male": _("Male")}.get(gender, "")


def consent_label(method: str) -> str:
    """How consent was given, translated."""
    labels = {"written": _("Written consent"), "verbal": _("Verbal consent"), "online": _("Online consent")}
    return labels.get(method, "")


# -- people ---------------------------------------------------------------------------


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value).strip()


def _clean_person(data: Mapping[str, Any], current: Person | None) -> dict[str, Any]:
    """The stored values of the fields present in ``data`` (all of them for a new person)."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if current is None or "name" in data:
        name = _text(data, "name")
        if not name:
            errors["name"] = _("Enter the person's name.")
        elif len(name) > 50:
            errors["name"] = _("The name is too long (at most 50 characters).")
        out["name"] = name
    if "phone" in data:
        raw = _text(data, "phone")
        if current is not None and raw and raw == mask_phone(current.phone):
            pass  # the masked number shown to someone who may not see it whole: unchanged
        elif raw:
            phone = normalize_phone(raw)
            if phone is None:
                errors["phone"] = _(
                    "Enter a mobile number (e.g. 13800138000) or a landline with its area code "
                    "(e.g. 0574-87654321, extension after a dash)."
                )
            out["phone"] = phone or raw
        else:
            out["phone"] = ""
    if "gender" in data:
        gender = _text(data, "gender")
        if gender not in GENDERS:
            errors["gender"] = _("Choose one of the listed options.")
        out["gender"] = gender
    if "notes" in data:
        notes = _text(data, "notes")
        if len(notes) > 2000:
            errors["notes"] = _("Enter at most %(n)s characters.", n=2000)
        out["notes"] = notes
    _clean_sensitive(data, current, out, errors)
    raise_if(errors)
    return out


def _clean_sensitive(
    data: Mapping[str, Any], current: Person | None, out: dict[str, Any], errors: dict[str, str]
) -> None:
    """The ID number, birth date and consent: each checked, then together (consent needed, dates agree)."""
    if "id_number" in data:
        raw = _text(data, "id_number")
        if raw:  # empty keeps the recorded number (it is never shown whole in a form)
            number = normalize_id_number(raw)
            if number is None:
                errors["id_number"] = _("This is not a valid resident ID number (18 characters; check the last digit).")
            out["id_number"] = number or raw
    if "birth_date" in data:
        raw = _text(data, "birth_date")
        born: date | None = None
        if raw:
            try:
                born = date.fromisoformat(raw)
            except ValueError:
                errors["birth_date"] = _("Enter a date as YYYY-MM-DD.")
            else:
                if born.year < 1900 or born > datetime.now(TIMEZONE).date():
                    errors["birth_date"] = _("The birth date is not plausible.")
        out["birth_date"] = born
    if "consent_method" in data:
        method = _text(data, "consent_method")
        if method not in CONSENT_METHODS:
            errors["consent_method"] = _("Choose one of the listed options.")
        out["consent_method"] = method
    number = out.get("id_number") or (current.id_number if current else None)
    if number and "id_number" not in errors and "birth_date" not in errors:
        written = id_number_birth_date(number)
        if out.get("birth_date") is None and "id_number" in out:
            out["birth_date"] = written  # the ID number says it
        elif out.get("birth_date") is not None and out["birth_date"] != written:
            errors["birth_date"] = _("The birth date does not match the ID number.")
    sensitive = bool(out.get("id_number") or out.get("birth_date"))
    consent = out.get("consent_method", current.consent_method if current else "")
    if sensitive and not consent and not errors:
        errors["consent_method"] = _("Record how the person agreed to the keeping of their ID number or birth date.")


async def _unique_or_conflict(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        text = str(exc.orig).lower()
        if "id_number" in text:
            raise ConflictError(_("A person with this ID number is already recorded."), "id_number") from exc
        raise ConflictError(_("This person is already recorded with this name and phone."), "phone") from exc


def _consent(person: Person, values: dict[str, Any], user_id: int | None) -> None:
    method = values.get("consent_method")
    if method is not None and method != person.consent_method:
        person.consent_at = utcnow() if method else None
        person.consent_by_id = user_id if method else None


async def create_person(
    session: AsyncSession, district_id: int, user_id: int | None, data: Mapping[str, Any]
) -> Person:
    """Record a person (409 when the same name and phone, or the ID number, is already recorded)."""
    values = _clean_person({k: data.get(k) for k in PERSON_FIELDS if k in data or k == "name"}, None)
    person = Person(district_id=district_id, **{"phone": "", "gender": "", "consent_method": "", "notes": "", **values})
    _consent(person, {**values, "consent_method": values.get("consent_method", "")}, user_id)
    async with session.begin_nested():
        session.add(person)
        await _unique_or_conflict(session)
    return person


async def update_person(session: AsyncSession, person: Person, user_id: int | None, data: Mapping[str, Any]) -> Person:
    """Change the fields present in ``data`` (an empty ID number keeps the recorded one)."""
    values = _clean_person({k: v for k, v in data.items() if k in PERSON_FIELDS}, person)
    _consent(person, values, user_id)
    async with session.begin_nested():
        for key, value in values.items():
            setattr(person, key, value)
        await _unique_or_conflict(session)
    return person


async def get_person(session: AsyncSession, person_id: int) -> Person:
    """The person in this district (404 otherwise: never says whether it exists elsewhere)."""
    person = (await session.execute(select(Person).where(Person.id == person_id))).scalar_one_or_none()
    if person is None:
        raise NotFoundError(_("No such person."))
    return person


async def search_persons(session: AsyncSession, query: str, limit: int = SEARCH_LIMIT) -> list[Person]:
    """People whose phone or name matches ``query``.

    A whole mobile or fixed line with area code (any spelling) matches exactly (and with
    any extension); 4 or more digits match within a phone (a local number without its
    area code, the last digits); anything else matches within the name.
    """
    text = query.strip()
    statement = select(Person).order_by(Person.name, Person.id).limit(limit)
    if not text:
        return list((await session.execute(statement)).scalars())
    phone = normalize_phone(text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if phone and (phone.startswith(("0", "1"))):  # a whole mobile, or a fixed line with its area code
        statement = statement.where(or_(Person.phone == phone, Person.phone.startswith(phone + "-")))
    elif len(digits) >= 4 and len(digits) == len(text.replace("-", "").replace(" ", "")):
        statement = statement.where(Person.phone.contains(digits))
    else:
        pattern = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(Person.name.contains(pattern, escape="\\"))
    return list((await session.execute(statement)).scalars())


def person_out(person: Person, *, sensitive: bool, id_number: bool = False) -> dict[str, Any]:
    """A person as shown to a user: phone whole only with ``sensitive``; ID number whole only with ``id_number``."""
    return {
        "id": person.id,
        "name": person.name,
        "phone": person.phone if sensitive else mask_phone(person.phone),
        "id_number": (person.id_number or "") if id_number else mask_id_number(person.id_number),
        "has_id_number": bool(person.id_number),
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat() if person.birth_date and sensitive else None,
        "consent_method": person.consent_method,
        "consent_at": person.consent_at.isoformat() if person.consent_at else None,
        "notes": person.notes,
    }


async def log_id_view(
    session: AsyncSession, district_id: int, user_id: int | None, person: Person, via: str, reason: str = ""
) -> None:
    """Write who saw ``person``'s full ID number, when, where and why (the access log)."""
    session.add(
        SensitiveAccess(
            district_id=district_id,
            user_id=user_id,
            person_id=person.id,
            what="id_number",
            via=via[:200],
            reason=reason.strip()[:200],
        )
    )
    await session.flush()


async def cases_of(session: AsyncSession, person: Person, limit: int = 20) -> list[Case]:
    """The district's cases whose contact phone is this person's (newest first)."""
    if not person.phone:
        return []
    query = select(Case).where(Case.contact_phone == person.phone).order_by(Case.created_at.desc()).limit(limit)
    return list((await session.execute(query)).scalars())


# -- households -----------------------------------------------------------------------


async def estates(session: AsyncSession) -> list[OrgUnit]:
    """The district's estates (org units of the estate level), by code."""
    query = select(OrgUnit).where(OrgUnit.kind == OrgUnitKind.ESTATE).order_by(OrgUnit.code)
    return list((await session.execute(query)).scalars())


async def _estate(session: AsyncSession, raw: Any) -> OrgUnit | None:
    try:
        estate_id = int(str(raw).strip())
    except (TypeError, ValueError):
        return None
    unit = (await session.execute(select(OrgUnit).where(OrgUnit.id == estate_id))).scalar_one_or_none()
    return unit if unit is not None and unit.kind == OrgUnitKind.ESTATE else None


async def _clean_household(session: AsyncSession, data: Mapping[str, Any], new: bool) -> dict[str, Any]:
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if new or "estate_id" in data:
        estate = await _estate(session, data.get("estate_id"))
        if estate is None:
            errors["estate_id"] = _("Choose one of the listed estates.")
        else:
            out["estate_id"] = estate.id
    for key, required in (("building", True), ("unit", False), ("room", True)):
        if new or key in data:
            value = _text(data, key)
            if required and not value:
                errors[key] = _("This field is required.")
            elif len(value) > 20:
                errors[key] = _("Enter at most %(n)s characters.", n=20)
            out[key] = value
    if new or "area" in data:
        raw = _text(data, "area")
        area = area_to_hundredths(raw) if raw else None
        if raw and area is None:
            errors["area"] = _("Enter the floor area in m², more than 0, with at most two decimals (e.g. 89.50).")
        out["area_centi"] = area
    if new or "notes" in data:
        notes = _text(data, "notes")
        if len(notes) > 2000:
            errors["notes"] = _("Enter at most %(n)s characters.", n=2000)
        out["notes"] = notes
    raise_if(errors)
    return out


async def _household_flush(session: AsyncSession) -> None:
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ConflictError(_("A household at this address is already recorded."), "room") from exc


async def create_household(session: AsyncSession, district_id: int, data: Mapping[str, Any]) -> Household:
    """Record a household at an estate → building → unit → room (409 when the address is taken)."""
    values = await _clean_household(session, data, new=True)
    household = Household(district_id=district_id, **values)
    async with session.begin_nested():
        session.add(household)
        await _household_flush(session)
    return household


async def update_household(session: AsyncSession, household: Household, data: Mapping[str, Any]) -> Household:
    """Change the fields present in ``data``."""
    values = await _clean_household(session, {k: v for k, v in data.items() if k in HOUSEHOLD_FIELDS}, new=False)
    async with session.begin_nested():
        for key, value in values.items():
            setattr(household, key, value)
        await _household_flush(session)
    return household


async def get_household(session: AsyncSession, household_id: int) -> Household:
    """The household in this district (404 otherwise)."""
    found = (await session.execute(select(Household).where(Household.id == household_id))).scalar_one_or_none()
    if found is None:
        raise NotFoundError(_("No such household."))
    return found


async def list_households(session: AsyncSession, limit: int = 500) -> list[Household]:
    """The district's households by estate and address."""
    query = (
        select(Household).order_by(Household.estate_id, Household.building, Household.unit, Household.room).limit(limit)
    )
    return list((await session.execute(query)).scalars())


def household_address(household: Household, estate: OrgUnit | None, locale: str) -> str:
    """``偃月小区 3幢 2单元 501室`` (the unit is left out when there is none)."""
    en = locale.startswith("en")
    parts = [estate.name(locale) if estate else ""]
    parts.append(f"Building {household.building}" if en else f"{household.building}幢")
    if household.unit:
        parts.append(f"Unit {household.unit}" if en else f"{household.unit}单元")
    parts.append(f"Room {household.room}" if en else f"{household.room}室")
    return " ".join(p for p in parts if p)


async def household_members(session: AsyncSession, household_id: int) -> list[tuple[HouseholdMember, Person]]:
    """The household's members with their person, owners first."""
    order = {r: i for i, r in enumerate(RELATIONS)}
    query = (
        select(HouseholdMember, Person)
        .join(Person, Person.id == HouseholdMember.person_id)
        .where(HouseholdMember.household_id == household_id)
        .order_by(Person.name, Person.id)
    )
    rows = [(m, p) for m, p in (await session.execute(query)).tuples()]
    return sorted(rows, key=lambda row: order.get(row[0].relation, 99))


async def households_of(session: AsyncSession, person_id: int) -> list[tuple[HouseholdMember, Household, OrgUnit]]:
    """The households a person belongs to, with their relation and estate."""
    query = (
        select(HouseholdMember, Household, OrgUnit)
        .join(Household, Household.id == HouseholdMember.household_id)
        .join(OrgUnit, OrgUnit.id == Household.estate_id)
        .where(HouseholdMember.person_id == person_id)
        .order_by(OrgUnit.code, Household.building, Household.unit, Household.room)
    )
    return [(m, h, e) for m, h, e in (await session.execute(query)).tuples()]


async def add_member(
    session: AsyncSession, district_id: int, household: Household, person_id: Any, relation: str
) -> HouseholdMember:
    """Put a person in a household with a relation (409 when already there)."""
    errors: dict[str, str] = {}
    if relation not in RELATIONS:
        errors["relation"] = _("Choose one of the listed options.")
    try:
        person = await get_person(session, int(str(person_id)))
    except (NotFoundError, ValueError, TypeError):
        errors["person_id"] = _("Choose a person from the search results.")
    raise_if(errors)
    member = HouseholdMember(district_id=district_id, household_id=household.id, person_id=person.id, relation=relation)
    async with session.begin_nested():
        session.add(member)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise ConflictError(_("This person is already a member of the household."), "person_id") from exc
    return member


async def remove_member(session: AsyncSession, household: Household, member_id: int) -> None:
    """Take a person out of a household (404 when not a member of it)."""
    query = select(HouseholdMember).where(HouseholdMember.id == member_id, HouseholdMember.household_id == household.id)
    member = (await session.execute(query)).scalar_one_or_none()
    if member is None:
        raise NotFoundError(_("No such member."))
    await session.delete(member)
    await session.flush()


# -- vehicles -------------------------------------------------------------------------


async def add_vehicle(
    session: AsyncSession,
    district_id: int,
    plate: Any,
    *,
    person_id: int | None = None,
    household_id: int | None = None,
    notes: str = "",
) -> Vehicle:
    """Record a vehicle by plate for a person and/or household (409 when the plate is recorded)."""
    number = normalize_plate(plate)
    if number is None:
        raise ServiceError(_("Enter a mainland plate such as 浙B12345 or, for a new-energy car, 浙BD12345."), "plate")
    if person_id is None and household_id is None:
        raise ServiceError(_("A vehicle belongs to a person or a household."), "plate")
    if len(notes) > 200:
        raise ServiceError(_("Enter at most %(n)s characters.", n=200), "notes")
    vehicle = Vehicle(
        district_id=district_id, plate=number, person_id=person_id, household_id=household_id, notes=notes
    )
    async with session.begin_nested():
        session.add(vehicle)
        try:
            await session.flush()
        except IntegrityError as exc:
            raise ConflictError(_("The plate %(plate)s is already recorded.", plate=number), "plate") from exc
    return vehicle


async def remove_vehicle(session: AsyncSession, vehicle_id: int) -> None:
    """Delete a vehicle (404 when not in this district)."""
    vehicle = (await session.execute(select(Vehicle).where(Vehicle.id == vehicle_id))).scalar_one_or_none()
    if vehicle is None:
        raise NotFoundError(_("No such vehicle."))
    await session.delete(vehicle)
    await session.flush()


async def vehicles_of(
    session: AsyncSession, *, person_id: int | None = None, household_id: int | None = None
) -> list[Vehicle]:
    """The vehicles of a person, or of a household, by plate."""
    query = select(Vehicle).order_by(Vehicle.plate)
    if person_id is not None:
        query = query.where(Vehicle.person_id == person_id)
    if household_id is not None:
        query = query.where(Vehicle.household_id == household_id)
    return list((await session.execute(query)).scalars())


# -- estates --------------------------------------------------------------------------


@dataclass
class EstateSummary:
    """An estate's households with their owners, and the exact total floor area."""

    estate: OrgUnit
    households: list[tuple[Household, list[str]]]
    total_area_centi: int

    @property
    def total_area(self) -> Decimal:
        """The total floor area in m², exact."""
        return area_from_hundredths(self.total_area_centi)


async def estate_summary(session: AsyncSession, estate_id: int) -> EstateSummary:
    """The estate's households (with owners' names) and its total recorded floor area (404 if no such estate)."""
    estate = await _estate(session, estate_id)
    if estate is None:
        raise NotFoundError(_("No such estate."))
    households = list(
        (
            await session.execute(
                select(Household)
                .where(Household.estate_id == estate.id)
                .order_by(Household.building, Household.unit, Household.room)
            )
        ).scalars()
    )
    owners: dict[int, list[str]] = {}
    query = (
        select(HouseholdMember.household_id, Person.name)
        .join(Person, Person.id == HouseholdMember.person_id)
        .join(Household, Household.id == HouseholdMember.household_id)
        .where(Household.estate_id == estate.id, HouseholdMember.relation.in_(("owner", "co_owner")))
        .order_by(Person.name)
    )
    for household_id, name in (await session.execute(query)).tuples():
        owners.setdefault(household_id, []).append(name)
    total = (
        await session.execute(
            select(func.coalesce(func.sum(Household.area_centi), 0)).where(Household.estate_id == estate.id)
        )
    ).scalar_one()
    return EstateSummary(estate, [(h, owners.get(h.id, [])) for h in households], int(total or 0))
