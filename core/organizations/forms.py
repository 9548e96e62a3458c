"""Reading the organization form (pages) into an :class:`OrganizationInput`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.organizations.service import OrganizationInput
from core.web.admin.common import FormState, int_or_none

if TYPE_CHECKING:
    from litestar.datastructures import FormMultiDict

    from core.models.organizations import Organization

__all__ = ("TEXT_FIELDS", "form_state_of", "input_of", "state_of")

TEXT_FIELDS = (
    "name",
    "kind",
    "registered_type",
    "credit_code",
    "filing_number",
    "legal_representative",
    "contact_name",
    "contact_phone",
    "address",
    "description",
    "hub_id",
    "founded_on",
    "filed_on",
    "registered_on",
    "status",
    "version",
)


def form_state_of(data: FormMultiDict) -> FormState:
    """What the user typed, kept as typed (so a refused form shows it again)."""
    values: dict[str, Any] = {k: str(data.get(k, "") or "") for k in TEXT_FIELDS}
    values["is_hub"] = data.get("is_hub") in {"1", "on", "true"}
    values["fields"] = [str(v) for v in data.getall("fields", [])]
    values["areas"] = [str(v) for v in data.getall("areas", [])]
    return FormState(values)


def input_of(form: FormState) -> OrganizationInput:
    """The service input described by a form state."""
    v = form.values
    return OrganizationInput(
        name=v.get("name", ""),
        kind=v.get("kind", ""),
        registered_type=v.get("registered_type", ""),
        credit_code=v.get("credit_code", ""),
        filing_number=v.get("filing_number", ""),
        legal_representative=v.get("legal_representative", ""),
        contact_name=v.get("contact_name", ""),
        contact_phone=v.get("contact_phone", ""),
        address=v.get("address", ""),
        description=v.get("description", ""),
        is_hub=bool(v.get("is_hub")),
        hub_id=int_or_none(v.get("hub_id")),
        founded_on=v.get("founded_on") or None,
        filed_on=v.get("filed_on") or None,
        registered_on=v.get("registered_on") or None,
        status=v.get("status") or "active",
        fields=list(v.get("fields", [])),
        areas=[a for a in (int_or_none(x) for x in v.get("areas", [])) if a is not None],
    )


def state_of(org: Organization) -> FormState:
    """The form filled with ``org`` as it is."""
    values: dict[str, Any] = {
        "name": org.name,
        "kind": org.kind.value,
        "registered_type": org.registered_type.value if org.registered_type else "",
        "credit_code": org.credit_code or "",
        "filing_number": org.filing_number,
        "legal_representative": org.legal_representative,
        "contact_name": org.contact_name,
        "contact_phone": org.contact_phone,
        "address": org.address,
        "description": org.description,
        "hub_id": org.hub_id or "",
        "founded_on": org.founded_on.isoformat() if org.founded_on else "",
        "filed_on": org.filed_on.isoformat() if org.filed_on else "",
        "registered_on": org.registered_on.isoformat() if org.registered_on else "",
        "status": org.status.value,
        "version": str(org.version),
        "is_hub": org.is_hub,
        "fields": org.field_keys,
        "areas": [str(a) for a in org.area_ids],
    }
    return FormState(values)
