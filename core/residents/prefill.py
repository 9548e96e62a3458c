"""Filling a case form's contact fields from a resident chosen at intake (``?person=<id>``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.exceptions import NotFoundException

from core.i18n import gettext as _
from core.refusal import ServiceError
from core.residents import service as svc

if TYPE_CHECKING:
    from collections.abc import Iterable

    from core.context import RequestContext
    from core.forms.definition import FieldDef

__all__ = ("NAME_KEYS", "own_values", "prefill_values")

# Keys of a text field that holds the contact's name, in the shipped and the plugins' case types.
NAME_KEYS = ("requester", "contact_name", "applicant", "resident_name", "name")


def _contact_fields(fields: list[FieldDef]) -> tuple[FieldDef | None, FieldDef | None, FieldDef | None]:
    name_field = next(
        (f for key in NAME_KEYS for f in fields if f.key == key and f.type in ("text", "long_text")), None
    )
    phone_field = next((f for f in fields if f.type == "phone"), None)
    address_field = next((f for f in fields if f.type == "address"), None)
    return name_field, phone_field, address_field


async def own_values(ctx: RequestContext, fields: Iterable[FieldDef]) -> dict[str, Any]:
    """The filer's own name, phone and address for a resident or volunteer filing for themselves.

    From their entry in the district's residents registry (linked to their account), else from
    their account (display name and phone). A person always sees their own phone.
    """
    from sqlalchemy import select  # noqa: PLC0415

    from core.models.residents import Person  # noqa: PLC0415

    if ctx.user is None:
        return {}
    name_field, phone_field, address_field = _contact_fields(list(fields))
    query = select(Person).where(Person.user_id == ctx.user.id).order_by(Person.id).limit(1)
    person = (await ctx.session.execute(query)).scalar_one_or_none()
    values: dict[str, Any] = {}
    name = (person.name if person is not None else "") or ctx.user.display_name
    phone = (person.phone if person is not None else "") or ctx.user.phone
    if name_field is not None and name:
        values[name_field.key] = name
    if phone_field is not None and phone:
        values[phone_field.key] = phone
    if address_field is not None and person is not None:
        homes = await svc.households_of(ctx.session, person.id)
        if homes:
            _member, household, estate = homes[0]
            values[address_field.key] = svc.household_address(household, estate, ctx.locale)
    return values


async def prefill_values(ctx: RequestContext, fields: Iterable[FieldDef], person_id: str) -> dict[str, Any]:
    """Values for the name, phone and address fields of ``fields`` from the person (404 when not in the district)."""
    try:
        person = await svc.get_person(ctx.session, int(person_id))
    except (ServiceError, ValueError) as exc:
        raise NotFoundException(_("No such person.")) from exc
    name_field, phone_field, address_field = _contact_fields(list(fields))
    values: dict[str, Any] = {}
    if name_field is not None:
        values[name_field.key] = person.name
    if phone_field is not None and person.phone and ctx.can("resident", "view_sensitive"):
        values[phone_field.key] = person.phone
    if address_field is not None:
        homes = await svc.households_of(ctx.session, person.id)
        if homes:
            _member, household, estate = homes[0]
            values[address_field.key] = svc.household_address(household, estate, ctx.locale)
    return values
