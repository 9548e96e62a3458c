"""The residents pages: people, households, estates, the picker for case forms, the access log.

Every page answers a full load and an htmx fragment (``core.web.pages.page``). Phones are
shown whole only to users with ``resident:view_sensitive``; ID numbers are always masked
on the pages, and such a user may reveal one (a button), which writes the access log.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from sqlalchemy import func, select

from core.context import RequestContext
from core.forms.formats import area_from_hundredths, mask_id_number, mask_phone
from core.i18n import gettext as _
from core.models import Household, OrgUnit, Person, SensitiveAccess, User, Vehicle
from core.models.residents import CONSENT_METHODS, GENDERS, RELATIONS
from core.refusal import ServiceError
from core.residents import importing
from core.residents import service as svc
from core.web.admin.common import FormState, done, error_status, form_of, int_or_none, render, service_failure
from core.web.forms import PAGE

__all__ = ("RESIDENT_ROUTES",)

ACCESS_LOG_PAGE = 100
IMPORT_LIMIT = 5 * 1024 * 1024


def _district_id(ctx: RequestContext) -> int:
    assert ctx.district is not None
    return ctx.district.id


def _user_id(ctx: RequestContext) -> int | None:
    return ctx.user.id if ctx.user else None


def _sensitive(ctx: RequestContext) -> bool:
    return ctx.can("resident", "view_sensitive")


def shown_phone(ctx: RequestContext, phone: str) -> str:
    """A phone whole for users who may see it, masked for the others."""
    return phone if _sensitive(ctx) else mask_phone(phone)


def _options(ctx: RequestContext) -> dict[str, Any]:
    return {
        "genders": [(g, svc.gender_label(g)) for g in GENDERS if g],
        "consents": [(c, svc.consent_label(c)) for c in CONSENT_METHODS if c],
        "relations": [(r, svc.relation_label(r)) for r in RELATIONS],
        "relation_label": svc.relation_label,
        "shown_phone": lambda phone: shown_phone(ctx, phone),
        "mask_id": mask_id_number,
        "area": area_from_hundredths,
    }


async def _get_person(ctx: RequestContext, person_id: int) -> Person:
    try:
        return await svc.get_person(ctx.session, person_id)
    except ServiceError as exc:
        service_failure(exc)
        raise


async def _get_household(ctx: RequestContext, household_id: int) -> Household:
    try:
        return await svc.get_household(ctx.session, household_id)
    except ServiceError as exc:
        service_failure(exc)
        raise


# -- people ---------------------------------------------------------------------------


@get("/residents", name="residents", **PAGE)
async def residents(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """People of the district, searched by phone or name (the results part answers htmx on its own)."""
    ctx.require("resident", "view")
    query = str(request.query_params.get("q") or "")[:50]
    people = await svc.search_persons(ctx.session, query, limit=50)
    block = "results" if request.headers.get("hx-target") == "resident-results" else "content"
    return await render(request, ctx, "core/residents/list.html", block=block, people=people, q=query, **_options(ctx))


@get("/residents/picker", name="resident_picker", **PAGE)
async def resident_picker(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """The picker a case form embeds: people matching ``q``, each a link that prefills the form ``to``."""
    ctx.require("resident", "view")
    query = str(request.query_params.get("q") or "")[:50].strip()
    target = str(request.query_params.get("to") or "")
    if not target.startswith(ctx.url("/")) or "//" in target[1:] or "?" in target:
        target = ""
    household = int_or_none(request.query_params.get("household"))
    if household is not None:
        ctx.require("resident", "edit")
        household = (await _get_household(ctx, household)).id
    people = await svc.search_persons(ctx.session, query, limit=10) if query else []
    return await render(
        request,
        ctx,
        "core/residents/picker.html",
        block="picker",
        people=people,
        q=query,
        to=target,
        household=household,
        **_options(ctx),
    )


def _person_form(person: Person | None) -> FormState:
    if person is None:
        return FormState({})
    return FormState(
        {
            "name": person.name,
            "phone": person.phone,
            "gender": person.gender,
            "birth_date": person.birth_date.isoformat() if person.birth_date else "",
            "consent_method": person.consent_method,
            "notes": person.notes,
        }
    )


async def _edit_page(
    request: Request[Any, Any, Any], ctx: RequestContext, person: Person | None, form: FormState, status: int = 200
) -> Any:
    if person is not None and not _sensitive(ctx):
        form.values["phone"] = mask_phone(str(form.values.get("phone", "")))
        form.values.pop("birth_date", None)
    return await render(
        request, ctx, "core/residents/edit.html", status_code=status, person=person, form=form, **_options(ctx)
    )


@get("/residents/new", name="resident_new", **PAGE)
async def new_resident(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """The form to record a person."""
    ctx.require("resident", "edit")
    return await _edit_page(request, ctx, None, FormState({"name": str(request.query_params.get("name") or "")}))


def _posted(data: Any, keys: tuple[str, ...]) -> dict[str, str]:
    return {k: str(data.get(k, "")) for k in keys if k in data}


@post("/residents", **PAGE)
async def create_resident(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Record a person, then go to their page."""
    ctx.require("resident", "edit")
    data = _posted(await form_of(request), svc.PERSON_FIELDS)
    try:
        person = await svc.create_person(ctx.session, _district_id(ctx), _user_id(ctx), data)
    except ServiceError as exc:
        return await _edit_page(request, ctx, None, FormState(data, exc.errors), error_status(request, exc))
    return await done(request, ctx, ctx.url(f"/residents/{person.id}"), _("%(name)s was recorded.", name=person.name))


@get("/residents/{person_id:int}", **PAGE)
async def resident(request: Request[Any, Any, Any], ctx: RequestContext, person_id: int) -> Any:
    """One person: contact, households, vehicles and the cases filed with their phone."""
    ctx.require("resident", "view")
    person = await _get_person(ctx, person_id)
    return await render(
        request,
        ctx,
        "core/residents/person.html",
        person=person,
        households=await svc.households_of(ctx.session, person.id),
        vehicles=await svc.vehicles_of(ctx.session, person_id=person.id),
        cases=await svc.cases_of(ctx.session, person) if ctx.can("dashboard", "view") else [],
        sensitive=_sensitive(ctx),
        consent_label=svc.consent_label,
        gender_label=svc.gender_label,
        form=FormState({}),
        **_options(ctx),
    )


@get("/residents/{person_id:int}/id-number", **PAGE)
async def reveal_id_number(request: Request[Any, Any, Any], ctx: RequestContext, person_id: int) -> Any:
    """Show a person's full ID number to a user who may see it, and write the view to the access log."""
    ctx.require("resident", "view_sensitive")
    person = await _get_person(ctx, person_id)
    if not person.id_number:
        raise NotFoundException(_("No ID number is recorded for this person."))
    reason = str(request.query_params.get("reason") or "")
    await svc.log_id_view(ctx.session, _district_id(ctx), _user_id(ctx), person, request.url.path, reason)
    return await render(request, ctx, "core/residents/id_number.html", block="id_number", person=person)


@get("/residents/{person_id:int}/edit", **PAGE)
async def edit_resident(request: Request[Any, Any, Any], ctx: RequestContext, person_id: int) -> Any:
    """The form to change a person's record."""
    ctx.require("resident", "edit")
    person = await _get_person(ctx, person_id)
    return await _edit_page(request, ctx, person, _person_form(person))


@post("/residents/{person_id:int}", **PAGE)
async def update_resident(request: Request[Any, Any, Any], ctx: RequestContext, person_id: int) -> Any:
    """Save a person's record."""
    ctx.require("resident", "edit")
    person = await _get_person(ctx, person_id)
    data = _posted(await form_of(request), svc.PERSON_FIELDS)
    if not _sensitive(ctx):
        data.pop("birth_date", None)
    try:
        await svc.update_person(ctx.session, person, _user_id(ctx), data)
    except ServiceError as exc:
        return await _edit_page(request, ctx, person, FormState(data, exc.errors), error_status(request, exc))
    return await done(request, ctx, ctx.url(f"/residents/{person.id}"), _("Saved."))


@post("/residents/{person_id:int}/vehicles", **PAGE)
async def add_person_vehicle(request: Request[Any, Any, Any], ctx: RequestContext, person_id: int) -> Any:
    """Record a vehicle of this person."""
    ctx.require("resident", "edit")
    person = await _get_person(ctx, person_id)
    data = await form_of(request)
    try:
        vehicle = await svc.add_vehicle(
            ctx.session,
            _district_id(ctx),
            data.get("plate", ""),
            person_id=person.id,
            household_id=int_or_none(data.get("household_id")),
        )
    except ServiceError as exc:
        households = await svc.households_of(ctx.session, person.id)
        return await render(
            request,
            ctx,
            "core/residents/person.html",
            status_code=error_status(request, exc),
            person=person,
            households=households,
            vehicles=await svc.vehicles_of(ctx.session, person_id=person.id),
            cases=await svc.cases_of(ctx.session, person),
            sensitive=_sensitive(ctx),
            consent_label=svc.consent_label,
            gender_label=svc.gender_label,
            form=FormState({"plate": str(data.get("plate", ""))}, exc.errors),
            **_options(ctx),
        )
    return await done(request, ctx, ctx.url(f"/residents/{person.id}"), _("%(plate)s was added.", plate=vehicle.plate))


@post("/residents/vehicles/{vehicle_id:int}/delete", **PAGE)
async def delete_vehicle(request: Request[Any, Any, Any], ctx: RequestContext, vehicle_id: int) -> Any:
    """Delete a vehicle, back to where the button was."""
    ctx.require("resident", "edit")
    vehicle = (await ctx.session.execute(select(Vehicle).where(Vehicle.id == vehicle_id))).scalar_one_or_none()
    if vehicle is None:
        raise NotFoundException(_("No such vehicle."))
    back = f"/residents/{vehicle.person_id}" if vehicle.person_id else f"/households/{vehicle.household_id}"
    plate = vehicle.plate
    await svc.remove_vehicle(ctx.session, vehicle_id)
    return await done(request, ctx, ctx.url(back), _("%(plate)s was removed.", plate=plate))


# -- households -----------------------------------------------------------------------


@get("/households", name="households", **PAGE)
async def households(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """The district's estates with their count of households and total floor area."""
    ctx.require("resident", "view")
    counts = {
        estate_id: (int(n), int(area or 0))
        for estate_id, n, area in (
            await ctx.session.execute(
                select(Household.estate_id, func.count(Household.id), func.sum(Household.area_centi)).group_by(
                    Household.estate_id
                )
            )
        ).tuples()
    }
    rows = [(e, *counts.get(e.id, (0, 0))) for e in await svc.estates(ctx.session)]
    return await render(request, ctx, "core/residents/estates.html", rows=rows, **_options(ctx))


@get("/households/estate/{estate_id:int}", **PAGE)
async def estate(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int) -> Any:
    """One estate: its households with owners and floor areas, and the exact total."""
    ctx.require("resident", "view")
    try:
        summary = await svc.estate_summary(ctx.session, estate_id)
    except ServiceError as exc:
        service_failure(exc)
        raise
    return await render(request, ctx, "core/residents/estate.html", summary=summary, **_options(ctx))


async def _household_form_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    household: Household | None,
    form: FormState,
    status: int = 200,
) -> Any:
    estates = [(e.id, e.name(ctx.locale)) for e in await svc.estates(ctx.session)]
    return await render(
        request,
        ctx,
        "core/residents/household_edit.html",
        status_code=status,
        household=household,
        form=form,
        estates=estates,
        **_options(ctx),
    )


@get("/households/new", **PAGE)
async def new_household(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """The form to record a household."""
    ctx.require("resident", "edit")
    return await _household_form_page(
        request, ctx, None, FormState({"estate_id": str(request.query_params.get("estate") or "")})
    )


@post("/households", **PAGE)
async def create_household(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Record a household, then go to its page."""
    ctx.require("resident", "edit")
    data = _posted(await form_of(request), svc.HOUSEHOLD_FIELDS)
    try:
        household = await svc.create_household(ctx.session, _district_id(ctx), data)
    except ServiceError as exc:
        return await _household_form_page(request, ctx, None, FormState(data, exc.errors), error_status(request, exc))
    return await done(request, ctx, ctx.url(f"/households/{household.id}"), _("The household was recorded."))


async def _household_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    household: Household,
    form: FormState | None = None,
    status: int = 200,
) -> Any:
    estate_unit = await ctx.session.get(OrgUnit, household.estate_id)
    return await render(
        request,
        ctx,
        "core/residents/household.html",
        status_code=status,
        household=household,
        address=svc.household_address(household, estate_unit, ctx.locale),
        estate=estate_unit,
        members=await svc.household_members(ctx.session, household.id),
        vehicles=await svc.vehicles_of(ctx.session, household_id=household.id),
        form=form or FormState({"relation": "family"}),
        **_options(ctx),
    )


@get("/households/{household_id:int}", **PAGE)
async def household(request: Request[Any, Any, Any], ctx: RequestContext, household_id: int) -> Any:
    """One household: address, floor area, members with their relation, vehicles."""
    ctx.require("resident", "view")
    return await _household_page(request, ctx, await _get_household(ctx, household_id))


@get("/households/{household_id:int}/edit", **PAGE)
async def edit_household(request: Request[Any, Any, Any], ctx: RequestContext, household_id: int) -> Any:
    """The form to change a household's address or floor area."""
    ctx.require("resident", "edit")
    found = await _get_household(ctx, household_id)
    area = area_from_hundredths(found.area_centi) if found.area_centi else ""
    form = FormState(
        {
            "estate_id": found.estate_id,
            "building": found.building,
            "unit": found.unit,
            "room": found.room,
            "area": area,
            "notes": found.notes,
        }
    )
    return await _household_form_page(request, ctx, found, form)


@post("/households/{household_id:int}", **PAGE)
async def update_household(request: Request[Any, Any, Any], ctx: RequestContext, household_id: int) -> Any:
    """Save a household's address and floor area."""
    ctx.require("resident", "edit")
    found = await _get_household(ctx, household_id)
    data = _posted(await form_of(request), svc.HOUSEHOLD_FIELDS)
    try:
        await svc.update_household(ctx.session, found, data)
    except ServiceError as exc:
        return await _household_form_page(request, ctx, found, FormState(data, exc.errors), error_status(request, exc))
    return await done(request, ctx, ctx.url(f"/households/{found.id}"), _("Saved."))


@post("/households/{household_id:int}/members", **PAGE)
async def add_member(request: Request[Any, Any, Any], ctx: RequestContext, household_id: int) -> Any:
    """Add a person (chosen from the search) to the household with a relation."""
    ctx.require("resident", "edit")
    found = await _get_household(ctx, household_id)
    data = await form_of(request)
    values = {"person_id": str(data.get("person_id", "")), "relation": str(data.get("relation", ""))}
    try:
        await svc.add_member(ctx.session, _district_id(ctx), found, values["person_id"], values["relation"])
    except ServiceError as exc:
        return await _household_page(request, ctx, found, FormState(values, exc.errors), error_status(request, exc))
    return await done(request, ctx, ctx.url(f"/households/{found.id}"), _("Saved."))


@post("/households/{household_id:int}/members/{member_id:int}/delete", **PAGE)
async def remove_member(request: Request[Any, Any, Any], ctx: RequestContext, household_id: int, member_id: int) -> Any:
    """Take a person out of the household (the person's record stays)."""
    ctx.require("resident", "edit")
    found = await _get_household(ctx, household_id)
    try:
        await svc.remove_member(ctx.session, found, member_id)
    except ServiceError as exc:
        service_failure(exc)
        raise
    return await done(request, ctx, ctx.url(f"/households/{found.id}"), _("Saved."))


@post("/households/{household_id:int}/vehicles", **PAGE)
async def add_household_vehicle(request: Request[Any, Any, Any], ctx: RequestContext, household_id: int) -> Any:
    """Record a vehicle of the household."""
    ctx.require("resident", "edit")
    found = await _get_household(ctx, household_id)
    data = await form_of(request)
    try:
        vehicle = await svc.add_vehicle(ctx.session, _district_id(ctx), data.get("plate", ""), household_id=found.id)
    except ServiceError as exc:
        form = FormState({"plate": str(data.get("plate", "")), "relation": "family"}, exc.errors)
        return await _household_page(request, ctx, found, form, error_status(request, exc))
    return await done(request, ctx, ctx.url(f"/households/{found.id}"), _("%(plate)s was added.", plate=vehicle.plate))


@get("/households/import", **PAGE)
async def import_form(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """The form to import households from an XLSX sheet."""
    ctx.require("resident", "edit")
    return await render(request, ctx, "core/residents/import.html", form=FormState({}))


@post("/households/import", request_max_body_size=IMPORT_LIMIT, **PAGE)
async def import_households(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Import the sheet: every row, or none with the rows' errors listed."""
    ctx.require("resident", "edit")
    data = await form_of(request)
    upload = data.get("file")
    content = await upload.read() if isinstance(upload, UploadFile) else b""
    try:
        if not content:
            raise ServiceError(_("Choose an XLSX file to import."), "file")
        result = await importing.import_households(ctx.session, _district_id(ctx), content)
    except ServiceError as exc:
        form = FormState({}, exc.errors)
        return await render(
            request, ctx, "core/residents/import.html", status_code=error_status(request, exc), form=form
        )
    message = _(
        "Imported: %(households)s new households, %(people)s new people, %(members)s memberships.",
        households=result.households,
        people=result.people,
        members=result.members,
    )
    return await done(request, ctx, ctx.url("/households"), message)


# -- the access log -------------------------------------------------------------------


@get("/admin/access-log", name="access_log", **PAGE)
async def access_log(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Who saw which resident's full ID number, when and why (district admins)."""
    ctx.require("district", "admin")
    query = (
        select(SensitiveAccess, User.label, Person.name)
        .outerjoin(User, User.id == SensitiveAccess.user_id)
        .outerjoin(Person, Person.id == SensitiveAccess.person_id)
        .order_by(SensitiveAccess.at.desc(), SensitiveAccess.id.desc())
        .limit(ACCESS_LOG_PAGE)
    )
    rows = list((await ctx.session.execute(query)).tuples())
    return await render(request, ctx, "core/residents/access_log.html", rows=rows)


RESIDENT_ROUTES = [
    residents,
    resident_picker,
    new_resident,
    create_resident,
    resident,
    reveal_id_number,
    edit_resident,
    update_resident,
    add_person_vehicle,
    delete_vehicle,
    households,
    estate,
    new_household,
    create_household,
    household,
    edit_household,
    update_household,
    add_member,
    remove_member,
    add_household_vehicle,
    import_form,
    import_households,
    access_log,
]
