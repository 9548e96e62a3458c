"""Filling a case form's contact fields from a resident chosen at intake (``?person=<id>``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.exceptions import NotFoundException

from core.i18n import gettext as _
from core.residents import service as svc
from core.services import ServiceError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from core.forms.definition import FieldDef
    from core.web.context import RequestContext

__all__ = ("NAME_KEYS", "prefill_values")

# Keys of a text field that holds the contact's name, in the shipped and the plugins' case types.
NAME_KEYS = ("requester", "contact_name", "applicant", "resident_name", "name")


async def prefill_values(ctx: RequestContext, fields: Iterable[FieldDef], person_id: str) -> dict[str, Any]:
    """Values for the name, phone and address fields of ``fields`` from the person (404 when not in the district)."""
    try:
        person = await svc.get_person(ctx.session, int(person_id))
    except (ServiceError, ValueError) as exc:
        raise NotFoundException(_("No such person.")) from exc
    fields = list(fields)
    values: dict[str, Any] = {}
    name_field = next(
        (f for key in NAME_KEYS for f in fields if f.key == key and f.type in ("text", "long_text")), None
    )
    if name_field is not None:
        values[name_field.key] = person.name
    phone_field = next((f for f in fields if f.type == "phone"), None)
    if phone_field is not None and person.phone and ctx.can("resident", "view_sensitive"):
        values[phone_field.key] = person.phone
    address_field = next((f for f in fields if f.type == "address"), None)
    if address_field is not None:
        homes = await svc.households_of(ctx.session, person.id)
        if homes:
            _member, household, estate = homes[0]
            values[address_field.key] = svc.household_address(household, estate, ctx.locale)
    return values
