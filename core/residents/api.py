"""The residents JSON API under ``/api/v1/districts/{code}/``: people, households, vehicles, search.

Same service and permission checks as the pages. Unknown fields in a body are refused
(400). Phones come whole only with ``resident:view_sensitive``; the ID number comes whole
only when asked (``?reveal=id_number``) by such a user, and each such answer is written
to the access log.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request, delete, get, patch, post
from litestar.exceptions import PermissionDeniedException
from msgspec import UNSET, UnsetType

from core.api.admin import service_errors
from core.context import RequestContext
from core.forms.formats import area_from_hundredths, mask_phone
from core.i18n import gettext as _
from core.models import Household, Person
from core.residents import service as svc

__all__ = ("RESIDENT_API",)


class PersonOut(msgspec.Struct):
    """A person; ``phone`` and ``id_number`` masked unless the caller may see them whole."""

    id: int
    name: str
    phone: str
    id_number: str
    has_id_number: bool
    gender: str
    birth_date: str | None
    consent_method: str
    consent_at: str | None
    notes: str


class PersonIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new person. ``consent_method`` (written / verbal / online) is required with an ID number or birth date."""

    name: str
    phone: str = ""
    id_number: str = ""
    gender: str = ""
    birth_date: str = ""
    consent_method: str = ""
    notes: str = ""


class PersonPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Fields to change; an empty ``id_number`` keeps the recorded one."""

    name: str | UnsetType = UNSET
    phone: str | UnsetType = UNSET
    id_number: str | UnsetType = UNSET
    gender: str | UnsetType = UNSET
    birth_date: str | UnsetType = UNSET
    consent_method: str | UnsetType = UNSET
    notes: str | UnsetType = UNSET


class HouseholdMemberOut(msgspec.Struct):
    """A member of a household."""

    id: int
    person_id: int
    name: str
    phone: str
    relation: str


class HouseholdOut(msgspec.Struct):
    """A household; ``area`` is the floor area in m² as exact decimal text (``"89.50"``)."""

    id: int
    estate_id: int
    building: str
    unit: str
    room: str
    area: str | None
    notes: str
    members: list[HouseholdMemberOut] = []
    plates: list[str] = []


class HouseholdIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new household at estate (an org unit of the estate level) → building → unit → room."""

    estate_id: int
    building: str
    room: str
    unit: str = ""
    area: str = ""
    notes: str = ""


class HouseholdPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Fields of a household to change."""

    estate_id: int | UnsetType = UNSET
    building: str | UnsetType = UNSET
    unit: str | UnsetType = UNSET
    room: str | UnsetType = UNSET
    area: str | UnsetType = UNSET
    notes: str | UnsetType = UNSET


class HouseholdMemberIn(msgspec.Struct, forbid_unknown_fields=True):
    """A person joining a household: owner, co_owner, tenant, family or other."""

    person_id: int
    relation: str


class VehicleIn(msgspec.Struct, forbid_unknown_fields=True):
    """A vehicle by plate for a person and/or a household."""

    plate: str
    person_id: int | None = None
    household_id: int | None = None
    notes: str = ""


class VehicleOut(msgspec.Struct):
    """A vehicle."""

    id: int
    plate: str
    person_id: int | None
    household_id: int | None


def _district_id(ctx: RequestContext) -> int:
    assert ctx.district is not None
    return ctx.district.id


def _person_out(ctx: RequestContext, person: Person, *, id_number: bool = False) -> PersonOut:
    return PersonOut(**svc.person_out(person, sensitive=ctx.can("resident", "view_sensitive"), id_number=id_number))


def _fields(data: msgspec.Struct) -> dict[str, Any]:
    return {k: v for k, v in msgspec.structs.asdict(data).items() if v is not UNSET}


@get("/residents", summary="Search people by phone or name (``q``), 20 at most")
async def list_people(ctx: RequestContext, q: str = "") -> list[PersonOut]:
    ctx.require("resident", "view")
    return [_person_out(ctx, p) for p in await svc.search_persons(ctx.session, q[:50])]


@post("/residents", summary="Record a person (409 when the same name and phone, or the ID number, exists)")
async def create_person(ctx: RequestContext, data: PersonIn) -> PersonOut:
    ctx.require("resident", "edit")
    with service_errors():
        person = await svc.create_person(
            ctx.session, _district_id(ctx), ctx.user.id if ctx.user else None, msgspec.structs.asdict(data)
        )
    return _person_out(ctx, person)


@get("/residents/{person_id:int}", summary="One person; ``reveal=id_number`` shows the ID number whole (logged)")
async def get_person(
    request: Request[Any, Any, Any], ctx: RequestContext, person_id: int, reveal: str = ""
) -> PersonOut:
    ctx.require("resident", "view")
    with service_errors():
        person = await svc.get_person(ctx.session, person_id)
    whole = reveal == "id_number"
    if whole:
        if not ctx.can("resident", "view_sensitive"):
            raise PermissionDeniedException(_("You do not have permission to do this."))
        if person.id_number:
            reason = str(request.query_params.get("reason") or "")
            await svc.log_id_view(
                ctx.session, _district_id(ctx), ctx.user.id if ctx.user else None, person, request.url.path, reason
            )
    return _person_out(ctx, person, id_number=whole)


@patch("/residents/{person_id:int}", summary="Change a person's record")
async def patch_person(ctx: RequestContext, person_id: int, data: PersonPatch) -> PersonOut:
    ctx.require("resident", "edit")
    with service_errors():
        person = await svc.get_person(ctx.session, person_id)
        await svc.update_person(ctx.session, person, ctx.user.id if ctx.user else None, _fields(data))
    return _person_out(ctx, person)


@delete("/residents/{person_id:int}", summary="Delete a person (their memberships go too; vehicles stay unowned)")
async def delete_person(ctx: RequestContext, person_id: int) -> None:
    ctx.require("resident", "edit")
    with service_errors():
        person = await svc.get_person(ctx.session, person_id)
    await ctx.session.delete(person)
    await ctx.session.flush()


async def _household_out(ctx: RequestContext, household: Household) -> HouseholdOut:
    sensitive = ctx.can("resident", "view_sensitive")
    members = [
        HouseholdMemberOut(m.id, p.id, p.name, p.phone if sensitive else mask_phone(p.phone), m.relation)
        for m, p in await svc.household_members(ctx.session, household.id)
    ]
    plates = [v.plate for v in await svc.vehicles_of(ctx.session, household_id=household.id)]
    return HouseholdOut(
        id=household.id,
        estate_id=household.estate_id,
        building=household.building,
        unit=household.unit,
        room=household.room,
        area=str(area_from_hundredths(household.area_centi)) if household.area_centi else None,
        notes=household.notes,
        members=members,
        plates=plates,
    )


@get("/households", summary="Households by address: of one estate (``estate_id``), or of the district (500 at most)")
async def list_households(ctx: RequestContext, estate_id: int | None = None) -> list[HouseholdOut]:
    ctx.require("resident", "view")
    if estate_id is None:
        found = await svc.list_households(ctx.session)
    else:
        with service_errors():
            found = [h for h, _owners in (await svc.estate_summary(ctx.session, estate_id)).households]
    return [await _household_out(ctx, h) for h in found]


@post("/households", summary="Record a household (409 when the address is taken)")
async def create_household(ctx: RequestContext, data: HouseholdIn) -> HouseholdOut:
    ctx.require("resident", "edit")
    with service_errors():
        household = await svc.create_household(ctx.session, _district_id(ctx), msgspec.structs.asdict(data))
    return await _household_out(ctx, household)


@get("/households/{household_id:int}", summary="One household with its members and plates")
async def get_household(ctx: RequestContext, household_id: int) -> HouseholdOut:
    ctx.require("resident", "view")
    with service_errors():
        household = await svc.get_household(ctx.session, household_id)
    return await _household_out(ctx, household)


@patch("/households/{household_id:int}", summary="Change a household's address or floor area")
async def patch_household(ctx: RequestContext, household_id: int, data: HouseholdPatch) -> HouseholdOut:
    ctx.require("resident", "edit")
    with service_errors():
        household = await svc.get_household(ctx.session, household_id)
        await svc.update_household(ctx.session, household, _fields(data))
    return await _household_out(ctx, household)


@post("/households/{household_id:int}/members", summary="Add a person to a household with a relation")
async def add_member(ctx: RequestContext, household_id: int, data: HouseholdMemberIn) -> HouseholdOut:
    ctx.require("resident", "edit")
    with service_errors():
        household = await svc.get_household(ctx.session, household_id)
        await svc.add_member(ctx.session, _district_id(ctx), household, data.person_id, data.relation)
    return await _household_out(ctx, household)


@delete("/households/{household_id:int}/members/{member_id:int}", summary="Take a person out of a household")
async def remove_member(ctx: RequestContext, household_id: int, member_id: int) -> None:
    ctx.require("resident", "edit")
    with service_errors():
        household = await svc.get_household(ctx.session, household_id)
        await svc.remove_member(ctx.session, household, member_id)


@post("/vehicles", summary="Record a vehicle by plate (validated and normalised)")
async def create_vehicle(ctx: RequestContext, data: VehicleIn) -> VehicleOut:
    ctx.require("resident", "edit")
    with service_errors():
        if data.person_id is not None:
            await svc.get_person(ctx.session, data.person_id)
        if data.household_id is not None:
            await svc.get_household(ctx.session, data.household_id)
        vehicle = await svc.add_vehicle(
            ctx.session,
            _district_id(ctx),
            data.plate,
            person_id=data.person_id,
            household_id=data.household_id,
            notes=data.notes,
        )
    return VehicleOut(vehicle.id, vehicle.plate, vehicle.person_id, vehicle.household_id)


@delete("/vehicles/{vehicle_id:int}", summary="Delete a vehicle")
async def delete_vehicle(ctx: RequestContext, vehicle_id: int) -> None:
    ctx.require("resident", "edit")
    with service_errors():
        await svc.remove_vehicle(ctx.session, vehicle_id)


RESIDENT_API = [
    list_people,
    create_person,
    get_person,
    patch_person,
    delete_person,
    list_households,
    create_household,
    get_household,
    patch_household,
    add_member,
    remove_member,
    create_vehicle,
    delete_vehicle,
]
