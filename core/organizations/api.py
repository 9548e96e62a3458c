"""The registry's JSON API (``/api/v1/districts/{code}/organizations``), described in OpenAPI.

Same service and the same access rules as the pages. Bodies refuse unknown fields (400
naming the field); a refused change answers 400/404/409 with ``extra.errors`` by field.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated

import msgspec
from litestar import delete, get, patch, post
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.params import Parameter
from msgspec import UNSET, UnsetType

from core.api.admin import service_errors
from core.context import RequestContext
from core.i18n import gettext as _
from core.organizations import access, vocab
from core.organizations import service as svc
from core.refusal import ServiceError

if TYPE_CHECKING:
    from core.models import District
    from core.models.organizations import Organization

__all__ = (
    "ORGANIZATION_API",
    "OrganizationIn",
    "OrganizationMemberIn",
    "OrganizationMemberOut",
    "OrganizationMemberPatch",
    "OrganizationOut",
)


class OrganizationOut(msgspec.Struct):
    """A social organization of the district."""

    id: int
    name: str
    kind: str
    kind_label: str
    registered_type: str | None
    credit_code: str | None
    filing_number: str
    legal_representative: str
    contact_name: str
    contact_phone: str
    address: str
    description: str
    is_hub: bool
    hub_id: int | None
    founded_on: date | None
    filed_on: date | None
    registered_on: date | None
    status: str
    fields: list[str]
    areas: list[int]
    version: int


class OrganizationPage(msgspec.Struct):
    """One page of organizations and how many match in all."""

    items: list[OrganizationOut]
    total: int


class OrganizationIn(msgspec.Struct, forbid_unknown_fields=True):
    """A new organization. ``kind``: informal | filed | registered; ``registered_type`` (registered only):
    social_group | social_service | foundation; ``status``: active | suspended | deregistered | revoked;
    ``fields``: service field keys; ``areas``: org-unit ids (streets, communities, estates)."""

    name: str
    kind: str
    registered_type: str | None = None
    credit_code: str | None = None
    filing_number: str = ""
    legal_representative: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""
    description: str = ""
    is_hub: bool = False
    hub_id: int | None = None
    founded_on: date | None = None
    filed_on: date | None = None
    registered_on: date | None = None
    status: str = "active"
    fields: list[str] = msgspec.field(default_factory=list)
    areas: list[int] = msgspec.field(default_factory=list)


class OrganizationPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Changes to an organization; a field left out stays as it is. ``version``: the version the change is
    based on (a stale one answers 409)."""

    version: int | UnsetType = UNSET
    name: str | UnsetType = UNSET
    kind: str | UnsetType = UNSET
    registered_type: str | UnsetType | None = UNSET
    credit_code: str | UnsetType | None = UNSET
    filing_number: str | UnsetType = UNSET
    legal_representative: str | UnsetType = UNSET
    contact_name: str | UnsetType = UNSET
    contact_phone: str | UnsetType = UNSET
    address: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    is_hub: bool | UnsetType = UNSET
    hub_id: int | UnsetType | None = UNSET
    founded_on: date | UnsetType | None = UNSET
    filed_on: date | UnsetType | None = UNSET
    registered_on: date | UnsetType | None = UNSET
    status: str | UnsetType = UNSET
    fields: list[str] | UnsetType = UNSET
    areas: list[int] | UnsetType = UNSET


class OrganizationMemberOut(msgspec.Struct):
    """A user's role in an organization: leader | staff | member."""

    id: int
    user_id: int
    username: str
    name: str
    role: str
    title: str


class OrganizationMemberIn(msgspec.Struct, forbid_unknown_fields=True):
    """Give a user of the district a role in the organization (``user_id`` or ``username``)."""

    role: str
    user_id: int | None = None
    username: str = ""
    title: str = ""


class OrganizationMemberPatch(msgspec.Struct, forbid_unknown_fields=True):
    """Change a member's role and/or title."""

    role: str
    title: str | None = None


def _district(ctx: RequestContext) -> District:
    assert ctx.district is not None
    return ctx.district


def _out(org: Organization) -> OrganizationOut:
    return OrganizationOut(
        id=org.id,
        name=org.name,
        kind=org.kind.value,
        kind_label=vocab.kind_label(org.kind),
        registered_type=org.registered_type.value if org.registered_type else None,
        credit_code=org.credit_code,
        filing_number=org.filing_number,
        legal_representative=org.legal_representative,
        contact_name=org.contact_name,
        contact_phone=org.contact_phone,
        address=org.address,
        description=org.description,
        is_hub=org.is_hub,
        hub_id=org.hub_id,
        founded_on=org.founded_on,
        filed_on=org.filed_on,
        registered_on=org.registered_on,
        status=org.status.value,
        fields=org.field_keys,
        areas=org.area_ids,
        version=org.version,
    )


async def _visible(ctx: RequestContext, organization_id: int) -> Organization:
    try:
        org = await svc.get_organization(ctx.session, _district(ctx), organization_id)
    except ServiceError as exc:
        raise NotFoundException(exc.message) from exc
    await access.require_visible(ctx, org)
    return org


@get("/organizations", summary="Social organizations (search and filters)")
async def list_organizations(
    ctx: RequestContext,
    *,
    q: str = "",
    kind: str = "",
    field: str = "",
    status: str = "",
    hub: int | None = None,
    area: int | None = None,
    offset: Annotated[int, Parameter(ge=0, le=1_000_000)] = 0,
    limit: Annotated[int, Parameter(ge=1, le=svc.MAX_PAGE)] = 50,
) -> OrganizationPage:
    if not access.can_list(ctx):
        raise PermissionDeniedException(_("You do not have permission to do this."))
    filters = svc.Filters(
        q=q[:100], kind=kind, field=field, status=status, hub_id=hub, area_id=area, offset=offset, limit=limit
    )
    rows, total = await svc.list_organizations(ctx.session, _district(ctx), filters, access.visible_clause(ctx))
    return OrganizationPage(items=[_out(o) for o in rows], total=total)


@post("/organizations", summary="Add an organization to the registry")
async def create_organization(ctx: RequestContext, data: OrganizationIn) -> OrganizationOut:
    ctx.require(access.RESOURCE, "edit")
    with service_errors():
        org = await svc.create_organization(
            ctx.session,
            _district(ctx),
            svc.OrganizationInput(
                **{k: getattr(data, k) for k in svc.EDITABLE if k not in {"registered_type", "credit_code"}},
                registered_type=data.registered_type or "",
                credit_code=data.credit_code or "",
            ),
        )
    return _out(org)


@get("/organizations/{organization_id:int}", summary="One organization")
async def get_organization(ctx: RequestContext, organization_id: int) -> OrganizationOut:
    return _out(await _visible(ctx, organization_id))


@patch("/organizations/{organization_id:int}", summary="Change an organization")
async def update_organization(ctx: RequestContext, organization_id: int, data: OrganizationPatch) -> OrganizationOut:
    org = await _visible(ctx, organization_id)
    await access.require_edit(ctx, org)
    changes = svc.OrganizationInput.of(org)
    if access.registry_locked(ctx):
        for name in access.REGISTRY_FIELDS:
            value = getattr(data, name)
            if value is not UNSET and (value or None) != (getattr(changes, name) or None):
                raise PermissionDeniedException(
                    _("Only district staff change an organization's registration facts (%(name)s).", name=name)
                )
    for name in svc.EDITABLE:
        value = getattr(data, name)
        if value is not UNSET:
            setattr(changes, name, "" if value is None and name in {"registered_type", "credit_code"} else value)
    with service_errors():
        org = await svc.update_organization(
            ctx.session,
            _district(ctx),
            org.id,
            changes,
            version=None if data.version is UNSET else data.version,
        )
    return _out(org)


def _member_out(row: svc.MemberRow) -> OrganizationMemberOut:
    m = row.member
    return OrganizationMemberOut(
        id=m.id, user_id=row.user_id, username=row.username, name=row.label, role=m.role.value, title=m.title
    )


@get("/organizations/{organization_id:int}/members", summary="An organization's people and their roles")
async def list_members(ctx: RequestContext, organization_id: int) -> list[OrganizationMemberOut]:
    org = await _visible(ctx, organization_id)
    return [_member_out(r) for r in await svc.list_members(ctx.session, _district(ctx), org.id)]


async def _member_row(ctx: RequestContext, organization_id: int, member_id: int) -> OrganizationMemberOut:
    for row in await svc.list_members(ctx.session, _district(ctx), organization_id):
        if row.member.id == member_id:
            return _member_out(row)
    raise HTTPException(status_code=500)  # pragma: no cover - the member was just written


@post("/organizations/{organization_id:int}/members", summary="Give a user a role in an organization")
async def add_member(ctx: RequestContext, organization_id: int, data: OrganizationMemberIn) -> OrganizationMemberOut:
    org = await _visible(ctx, organization_id)
    await access.require_edit(ctx, org)
    with service_errors():
        member = await svc.add_member(
            ctx.session,
            _district(ctx),
            org.id,
            role=data.role,
            user_id=data.user_id,
            username=data.username,
            title=data.title,
        )
    return await _member_row(ctx, org.id, member.id)


@patch("/organizations/{organization_id:int}/members/{member_id:int}", summary="Change a member's role")
async def update_member(
    ctx: RequestContext, organization_id: int, member_id: int, data: OrganizationMemberPatch
) -> OrganizationMemberOut:
    org = await _visible(ctx, organization_id)
    await access.require_edit(ctx, org)
    with service_errors():
        await svc.update_member(ctx.session, _district(ctx), org.id, member_id, role=data.role, title=data.title)
    return await _member_row(ctx, org.id, member_id)


@delete("/organizations/{organization_id:int}/members/{member_id:int}", summary="Take a user out of an organization")
async def remove_member(ctx: RequestContext, organization_id: int, member_id: int) -> None:
    org = await _visible(ctx, organization_id)
    await access.require_edit(ctx, org)
    with service_errors():
        await svc.remove_member(ctx.session, _district(ctx), org.id, member_id)


ORGANIZATION_API = [
    list_organizations,
    create_organization,
    get_organization,
    update_organization,
    list_members,
    add_member,
    update_member,
    remove_member,
]
