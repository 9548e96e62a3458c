"""The registry's rules: one service used by the pages, the API, the import and the CLI.

Every function takes the database session and the district; nothing here knows about
HTTP. A refused change raises a :class:`~core.refusal.ServiceError` whose
``errors`` map each field to its (translated) message, and writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, true
from sqlalchemy.exc import IntegrityError

from core.i18n import TIMEZONE
from core.i18n import gettext as _
from core.models import OrgUnit, OrgUnitKind, User
from core.models.organizations import (
    STAFF_ROLES,
    MemberRole,
    Organization,
    OrganizationArea,
    OrganizationField,
    OrganizationMember,
    OrgKind,
    OrgStatus,
    RegisteredType,
)
from core.organizations.credit_code import credit_code_problem
from core.organizations.vocab import SERVICE_FIELDS
from core.refusal import ConflictError, NotFoundError, ServiceError, raise_if

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

__all__ = (
    "AREA_KINDS",
    "EDITABLE",
    "MAX_PAGE",
    "Filters",
    "MemberRow",
    "OrganizationInput",
    "add_member",
    "apply_input",
    "create_organization",
    "credit_code_message",
    "get_organization",
    "hub_options",
    "list_members",
    "list_organizations",
    "remove_member",
    "staff_clause",
    "supervised_by",
    "update_member",
    "update_organization",
    "validate",
)

MAX_PAGE = 200
MAX_ID = 2**63 - 1  # a larger id names nothing (and PostgreSQL's BIGINT could not even compare it)


def _id_ok(value: int | None) -> bool:
    return value is not None and 0 < value <= MAX_ID


AREA_KINDS = frozenset({OrgUnitKind.STREET, OrgUnitKind.COMMUNITY, OrgUnitKind.ESTATE})
# CN mobile (13800138000) or a landline with its area code (0574-87654321, 057487654321).
PHONE_RE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_TYPE_DIGIT = {RegisteredType.SOCIAL_GROUP: "1", RegisteredType.SOCIAL_SERVICE: "2", RegisteredType.FOUNDATION: "3"}
# Fields a caller may set, in form order (the API refuses any other name).
EDITABLE: tuple[str, ...] = (
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
    "is_hub",
    "hub_id",
    "founded_on",
    "filed_on",
    "registered_on",
    "status",
    "fields",
    "areas",
)
_LIMITS = {
    "name": 100,
    "filing_number": 64,
    "legal_representative": 50,
    "contact_name": 50,
    "address": 200,
    "description": 4000,
}


@dataclass
class OrganizationInput:
    """What a form, an API body or an import row says about an organization, before it is checked.

    Text as typed; dates as ``date`` or ISO text; ``hub_id`` an id or ``None``; ``areas``
    org-unit ids. :func:`validate` turns it into column values or field errors.
    """

    name: str = ""
    kind: str = ""
    registered_type: str = ""
    credit_code: str = ""
    filing_number: str = ""
    legal_representative: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    address: str = ""
    description: str = ""
    is_hub: bool = False
    hub_id: int | None = None
    founded_on: date | str | None = None
    filed_on: date | str | None = None
    registered_on: date | str | None = None
    status: str = OrgStatus.ACTIVE.value
    fields: list[str] = field(default_factory=list)
    areas: list[int] = field(default_factory=list)

    @classmethod
    def of(cls, org: Organization) -> OrganizationInput:
        """The input that describes ``org`` as it is (the starting point of an edit)."""
        return cls(
            name=org.name,
            kind=org.kind.value,
            registered_type=org.registered_type.value if org.registered_type else "",
            credit_code=org.credit_code or "",
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
        )


def credit_code_message(code: str) -> str | None:
    """The translated reason a unified social credit code is refused, or ``None`` when it is valid."""
    problem = credit_code_problem(code)
    messages = {
        "length": _("A unified social credit code has 18 characters; this one has %(n)s.", n=len(code)),
        "charset": _("A unified social credit code uses only digits and capital letters other than I, O, S, V and Z."),
        "area": _("Characters 3 to 8 of a unified social credit code are the 6-digit area code."),
        "org_code": _(
            "The organization-code part (characters 9 to 17) has a wrong check character; please check the code."
        ),
        "check": _("The check character (the last one) does not match; please check the code for a typo."),
    }
    return messages[problem] if problem else None


def _parse_date(value: date | str | None, name: str, errors: dict[str, str]) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        parsed = value
    else:
        try:
            parsed = date.fromisoformat(str(value).strip())
        except ValueError:
            errors[name] = _("Enter a date like 2020-05-01.")
            return None
    # Today in China, where the district is: the server's own clock may be on UTC, eight hours behind.
    if parsed > datetime.now(TIMEZONE).date():
        errors[name] = _("This date is in the future.")
        return None
    if parsed.year < 1949:
        errors[name] = _("This date is too early.")
        return None
    return parsed


def _enum_value(enum_cls: type[Any], raw: str, name: str, message: str, errors: dict[str, str]) -> Any:
    try:
        return enum_cls(str(raw).strip())
    except ValueError:
        errors[name] = message
        return None


async def validate(
    session: AsyncSession, district: District, data: OrganizationInput, current: Organization | None = None
) -> dict[str, Any]:
    """Check ``data`` for ``district`` (``current``: the organization being edited); return column values.

    Raises :class:`ServiceError` with every field in error at once.
    """
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, limit in _LIMITS.items():
        text = str(getattr(data, name) or "").strip()
        if "\x00" in text:
            errors[name] = _("This text contains a character that is not allowed.")
        elif len(text) > limit:
            errors[name] = _("Too long (at most %(n)s characters).", n=limit)
        values[name] = text
    if not values["name"] and "name" not in errors:
        errors["name"] = _("The name is required.")
    kind = _enum_value(OrgKind, data.kind, "kind", _("Choose how the organization is registered."), errors)
    values["kind"] = kind
    rtype = None
    if kind == OrgKind.REGISTERED:
        if not str(data.registered_type or "").strip():
            errors["registered_type"] = _(
                "A registered organization is a social group, a social service agency or a foundation."
            )
        else:
            rtype = _enum_value(
                RegisteredType, data.registered_type, "registered_type", _("Choose a registered type."), errors
            )
    elif str(data.registered_type or "").strip():
        errors["registered_type"] = _("Only a registered organization has a registered type.")
    values["registered_type"] = rtype
    code = re.sub(r"\s", "", str(data.credit_code or "")).upper()
    if code:
        message = credit_code_message(code)
        if message:
            errors["credit_code"] = message
        elif kind == OrgKind.INFORMAL:
            errors["credit_code"] = _("A group that is neither filed nor registered has no unified social credit code.")
        elif kind == OrgKind.REGISTERED and rtype is not None and (code[0] != "5" or code[1] != _TYPE_DIGIT[rtype]):
            errors["credit_code"] = _(
                "This code does not belong to a social organization of the chosen type "
                "(it should start with 51 for a social group, 52 for a social service agency, 53 for a foundation)."
            )
    elif kind == OrgKind.REGISTERED:
        errors["credit_code"] = _("A registered organization has a unified social credit code.")
    values["credit_code"] = code or None
    phone = re.sub(r"[\s]", "", str(data.contact_phone or ""))
    if phone.startswith("+86"):
        phone = phone[3:]
    if phone and not PHONE_RE.match(phone):
        errors["contact_phone"] = _(
            "Enter a mobile number (13800138000) or a landline with its area code (0574-87654321)."
        )
    values["contact_phone"] = phone
    for name in ("founded_on", "filed_on", "registered_on"):
        values[name] = _parse_date(getattr(data, name), name, errors)
    founded = values["founded_on"]
    for name in ("filed_on", "registered_on"):
        if founded and values[name] and values[name] < founded:
            errors[name] = _("This date is before the organization was founded.")
    if values["registered_on"] and kind != OrgKind.REGISTERED:
        errors["registered_on"] = _("Only a registered organization has a registration date.")
    values["status"] = _enum_value(OrgStatus, data.status or "active", "status", _("Choose a status."), errors)
    values["is_hub"] = bool(data.is_hub)
    bad_fields = [f for f in data.fields if f not in SERVICE_FIELDS]
    if bad_fields:
        errors["fields"] = _("Unknown service field: %(name)s.", name=", ".join(map(str, bad_fields)))
    values["fields"] = sorted(set(data.fields) - set(bad_fields))
    values["areas"] = await _check_areas(session, district, data.areas, errors)
    values["hub_id"] = await _check_hub(session, district, data.hub_id, current, errors)
    if (
        current is not None
        and current.is_hub
        and not values["is_hub"]
        and await supervised_by(session, district, current.id)
    ):
        errors["is_hub"] = _("It still supervises organizations; move them to another hub first.")
    raise_if(errors)
    await _check_unique(session, district, values, current)
    return values


async def _check_areas(
    session: AsyncSession, district: District, area_ids: Iterable[int], errors: dict[str, str]
) -> list[int]:
    wanted = sorted({int(a) for a in area_ids})
    if any(not _id_ok(a) for a in wanted):
        errors["areas"] = _("Service areas are streets, communities or estates of this district.")
        return []
    if not wanted:
        return []
    found = (
        await session.execute(
            select(OrgUnit.id, OrgUnit.kind).where(OrgUnit.district_id == district.id, OrgUnit.id.in_(wanted))
        )
    ).all()
    ok = {uid for uid, kind in found if kind in AREA_KINDS}
    if set(wanted) - ok:
        errors["areas"] = _("Service areas are streets, communities or estates of this district.")
    return [a for a in wanted if a in ok]


async def _check_hub(
    session: AsyncSession,
    district: District,
    hub_id: int | None,
    current: Organization | None,
    errors: dict[str, str],
) -> int | None:
    if hub_id is None:
        return None
    if current is not None and hub_id == current.id:
        errors["hub_id"] = _("An organization cannot supervise itself.")
        return None
    if not _id_ok(hub_id):
        errors["hub_id"] = _("There is no such organization in this district.")
        return None
    hub = (
        await session.execute(
            select(Organization).where(Organization.district_id == district.id, Organization.id == hub_id)
        )
    ).scalar_one_or_none()
    if hub is None:
        errors["hub_id"] = _("There is no such organization in this district.")
        return None
    if not hub.is_hub:
        errors["hub_id"] = _("%(name)s is not a hub organization.", name=hub.name)
        return None
    if hub.status != OrgStatus.ACTIVE and (current is None or current.hub_id != hub.id):
        errors["hub_id"] = _("%(name)s is not active and cannot take on organizations.", name=hub.name)
        return None
    if current is not None:
        # Walk up from the new hub: meeting the organization itself would close a circle.
        seen: set[int] = set()
        above: int | None = hub.hub_id
        while above is not None and above not in seen:
            if above == current.id:
                errors["hub_id"] = _(
                    "%(name)s is supervised by this organization; supervision cannot go round in a circle.",
                    name=hub.name,
                )
                return None
            seen.add(above)
            above = (
                await session.execute(
                    select(Organization.hub_id).where(Organization.district_id == district.id, Organization.id == above)
                )
            ).scalar_one_or_none()
    return hub.id


async def _check_unique(
    session: AsyncSession, district: District, values: dict[str, Any], current: Organization | None
) -> None:
    other = Organization.id != current.id if current is not None else true()
    errors: dict[str, str] = {}
    same_name = (
        await session.execute(
            select(Organization.id).where(
                Organization.district_id == district.id, Organization.name == values["name"], other
            )
        )
    ).first()
    if same_name:
        errors["name"] = _("An organization named %(name)s is already in the registry.", name=values["name"])
    if values["credit_code"]:
        holder = (
            await session.execute(
                select(Organization.name).where(
                    Organization.district_id == district.id, Organization.credit_code == values["credit_code"], other
                )
            )
        ).scalar_one_or_none()
        if holder:
            errors["credit_code"] = _("This unified social credit code is already registered to %(name)s.", name=holder)
    if errors:
        raise ConflictError(next(iter(errors.values())), errors=errors)


def apply_input(org: Organization, values: dict[str, Any]) -> None:
    """Write checked ``values`` (from :func:`validate`) onto ``org``, its fields and areas."""
    for name in EDITABLE:
        if name not in {"fields", "areas"}:
            setattr(org, name, values[name])
    keep_fields = set(values["fields"])
    org.fields = [f for f in org.fields if f.field in keep_fields] + [
        OrganizationField(field=f) for f in values["fields"] if f not in set(org.field_keys)
    ]
    keep_areas = set(values["areas"])
    org.areas = [a for a in org.areas if a.org_unit_id in keep_areas] + [
        OrganizationArea(org_unit_id=a) for a in values["areas"] if a not in set(org.area_ids)
    ]


async def _flush_unique(session: AsyncSession, org: Organization) -> None:
    """Flush; a concurrent writer that took the name or the code first turns into a clear 409."""
    try:
        async with session.begin_nested():
            session.add(org)
            await session.flush()
    except IntegrityError as exc:
        text = str(exc.orig).lower()
        if "credit_code" in text:
            msg = _("This unified social credit code was registered by someone else a moment ago.")
            raise ConflictError(msg, "credit_code") from exc
        if "name" in text:
            raise ConflictError(
                _("An organization with this name was added by someone else a moment ago."), "name"
            ) from exc
        raise


async def create_organization(session: AsyncSession, district: District, data: OrganizationInput) -> Organization:
    """Add an organization to the district's registry."""
    values = await validate(session, district, data)
    org = Organization(district_id=district.id, fields=[], areas=[])
    apply_input(org, values)
    await _flush_unique(session, org)
    return org


async def update_organization(
    session: AsyncSession,
    district: District,
    organization_id: int,
    data: OrganizationInput,
    *,
    version: int | None = None,
) -> Organization:
    """Change an organization; ``version`` (when given) must be the one the editor started from."""
    org = await get_organization(session, district, organization_id)
    if version is not None and version != org.version:
        raise ConflictError(
            _("Someone else changed this organization while you were editing. Reload it and make your change again."),
            "_",
        )
    values = await validate(session, district, data, current=org)
    apply_input(org, values)
    org.version += 1
    await _flush_unique(session, org)
    return org


async def get_organization(session: AsyncSession, district: District, organization_id: int | None) -> Organization:
    """The organization ``organization_id`` of ``district``, or :class:`NotFoundError` (also for other districts')."""
    org = None
    if _id_ok(organization_id):
        org = (
            await session.execute(
                select(Organization).where(Organization.district_id == district.id, Organization.id == organization_id)
            )
        ).scalar_one_or_none()
    if org is None:
        raise NotFoundError(_("There is no such organization in this district."), "organization")
    return org


@dataclass
class Filters:
    """What the list shows: a search text and filters (all optional)."""

    q: str = ""
    kind: str = ""
    field: str = ""
    status: str = ""
    hub_id: int | None = None
    area_id: int | None = None
    hubs_only: bool = False
    offset: int = 0
    limit: int = 50


def staff_clause(user_id: int) -> ColumnElement[bool]:
    """SQL: the organization is one where ``user_id`` is a leader or staff (the org-staff record rule)."""
    return exists().where(
        OrganizationMember.organization_id == Organization.id,
        OrganizationMember.user_id == user_id,
        OrganizationMember.role.in_([r.value for r in STAFF_ROLES]),
    )


def _filter_clauses(session_district: District, filters: Filters) -> list[ColumnElement[bool]]:
    clauses: list[ColumnElement[bool]] = [Organization.district_id == session_district.id]
    q = filters.q.replace("\x00", "").strip()
    if q:
        escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        like = f"%{escaped}%"
        clauses.append(
            or_(
                Organization.name.like(like, escape="\\"),
                Organization.credit_code.like(like.upper(), escape="\\"),
                Organization.contact_name.like(like, escape="\\"),
                Organization.legal_representative.like(like, escape="\\"),
            )
        )
    if filters.kind:
        clauses.append(Organization.kind == filters.kind)
    if filters.status:
        clauses.append(Organization.status == filters.status)
    if filters.field:
        clauses.append(
            exists().where(
                OrganizationField.organization_id == Organization.id, OrganizationField.field == filters.field
            )
        )
    if filters.hub_id is not None:
        clauses.append(Organization.hub_id == filters.hub_id if _id_ok(filters.hub_id) else false())
    if filters.area_id is not None and not _id_ok(filters.area_id):
        clauses.append(false())
    elif filters.area_id is not None:
        clauses.append(
            exists().where(
                OrganizationArea.organization_id == Organization.id, OrganizationArea.org_unit_id == filters.area_id
            )
        )
    if filters.hubs_only:
        clauses.append(Organization.is_hub.is_(True))
    return clauses


async def list_organizations(
    session: AsyncSession,
    district: District,
    filters: Filters | None = None,
    visible: ColumnElement[bool] | None = None,
) -> tuple[list[Organization], int]:
    """One page of the district's organizations matching ``filters`` (by name) and how many match in all.

    ``visible`` is the caller's record rule (``None``: every organization of the district).
    """
    filters = filters or Filters()
    clauses = _filter_clauses(district, filters)
    if visible is not None:
        clauses.append(visible)
    where = and_(*clauses)
    total = (await session.execute(select(func.count()).select_from(Organization).where(where))).scalar_one()
    limit = max(1, min(filters.limit, MAX_PAGE))
    rows = await session.execute(
        select(Organization)
        .where(where)
        .order_by(Organization.name, Organization.id)
        .offset(max(0, filters.offset))
        .limit(limit)
    )
    return list(rows.scalars()), int(total)


async def supervised_by(session: AsyncSession, district: District, hub_id: int) -> list[Organization]:
    """The organizations ``hub_id`` supervises, by name."""
    rows = await session.execute(
        select(Organization)
        .where(Organization.district_id == district.id, Organization.hub_id == hub_id)
        .order_by(Organization.name)
    )
    return list(rows.scalars())


async def hub_options(session: AsyncSession, district: District, exclude: int | None = None) -> list[tuple[int, str]]:
    """(id, name) of the district's active hub organizations (for a select)."""
    rows = await session.execute(
        select(Organization.id, Organization.name)
        .where(
            Organization.district_id == district.id,
            Organization.is_hub.is_(True),
            Organization.status == OrgStatus.ACTIVE,
            Organization.id != exclude if exclude is not None else true(),
        )
        .order_by(Organization.name)
    )
    return [(i, n) for i, n in rows.tuples()]


# -- members ------------------------------------------------------------------------------


@dataclass
class MemberRow:
    """A member of an organization with the user's name."""

    member: OrganizationMember
    user_id: int
    username: str
    label: str
    phone: str


async def list_members(session: AsyncSession, district: District, organization_id: int) -> list[MemberRow]:
    """The organization's members: leaders first, then staff, then members; by name."""
    order = {MemberRole.LEADER.value: 0, MemberRole.STAFF.value: 1, MemberRole.MEMBER.value: 2}
    rows = await session.execute(
        select(OrganizationMember, User.id, User.username, User.label, User.phone)
        .join(User, User.id == OrganizationMember.user_id)
        .where(OrganizationMember.district_id == district.id, OrganizationMember.organization_id == organization_id)
    )
    out = [MemberRow(m, uid, username, label, phone) for m, uid, username, label, phone in rows.tuples()]
    out.sort(key=lambda r: (order.get(r.member.role.value, 9), r.label))
    return out


async def _district_user(session: AsyncSession, district: District, user_id: int | None, username: str) -> User:
    from core.models import Membership  # noqa: PLC0415 - only members of the district qualify

    query = select(User).join(Membership, Membership.user_id == User.id).where(Membership.district_id == district.id)
    if user_id is not None:
        query = query.where(User.id == user_id if _id_ok(user_id) else false())
    elif username.strip() and "\x00" not in username:
        query = query.where(User.username == username.strip())
    else:
        raise ServiceError(_("Choose a user."), "user")
    user = (await session.execute(query.limit(1))).scalar_one_or_none()
    if user is None:
        raise ServiceError(_("There is no such user in this district."), "user")
    return user


async def add_member(
    session: AsyncSession,
    district: District,
    organization_id: int,
    *,
    role: str,
    user_id: int | None = None,
    username: str = "",
    title: str = "",
) -> OrganizationMember:
    """Give a user of the district a role in the organization."""
    org = await get_organization(session, district, organization_id)
    errors: dict[str, str] = {}
    member_role = _enum_value(MemberRole, role, "role", _("Choose a role in the organization."), errors)
    title = (title or "").strip()
    if len(title) > 50:
        errors["title"] = _("Too long (at most %(n)s characters).", n=50)
    elif "\x00" in title:
        errors["title"] = _("This text contains a character that is not allowed.")
    raise_if(errors)
    user = await _district_user(session, district, user_id, username)
    taken = (
        await session.execute(
            select(OrganizationMember.id).where(
                OrganizationMember.organization_id == org.id, OrganizationMember.user_id == user.id
            )
        )
    ).first()
    if taken:
        raise ConflictError(_("%(name)s is already in this organization.", name=user.label), "user")
    member = OrganizationMember(
        district_id=district.id, organization_id=org.id, user_id=user.id, role=member_role, title=title
    )
    try:
        async with session.begin_nested():
            session.add(member)
            await session.flush()
    except IntegrityError as exc:
        raise ConflictError(_("%(name)s is already in this organization.", name=user.label), "user") from exc
    return member


async def _member(
    session: AsyncSession, district: District, organization_id: int, member_id: int
) -> OrganizationMember:
    if not _id_ok(member_id):
        raise NotFoundError(_("There is no such member."), "member")
    member = (
        await session.execute(
            select(OrganizationMember).where(
                OrganizationMember.district_id == district.id,
                OrganizationMember.organization_id == organization_id,
                OrganizationMember.id == member_id,
            )
        )
    ).scalar_one_or_none()
    if member is None:
        raise NotFoundError(_("There is no such member."), "member")
    return member


async def update_member(
    session: AsyncSession,
    district: District,
    organization_id: int,
    member_id: int,
    *,
    role: str,
    title: str | None = None,
) -> OrganizationMember:
    """Change a member's role (and title)."""
    member = await _member(session, district, organization_id, member_id)
    errors: dict[str, str] = {}
    member_role = _enum_value(MemberRole, role, "role", _("Choose a role in the organization."), errors)
    if title is not None and len(title.strip()) > 50:
        errors["title"] = _("Too long (at most %(n)s characters).", n=50)
    elif title is not None and "\x00" in title:
        errors["title"] = _("This text contains a character that is not allowed.")
    raise_if(errors)
    member.role = member_role
    if title is not None:
        member.title = title.strip()
    await session.flush()
    return member


async def remove_member(session: AsyncSession, district: District, organization_id: int, member_id: int) -> None:
    """Take a user out of the organization."""
    member = await _member(session, district, organization_id, member_id)
    await session.delete(member)
    await session.flush()


def no_rows() -> ColumnElement[bool]:
    """SQL that matches nothing (a caller who may see no organization)."""
    return false()
