"""Social organizations (社会组织): the registry's public functions for plugins.

A module (venture philanthropy, incubation, star rating, time bank …) asks here which
organization a user works for, whether someone is staff of an organization and which hub
supervises it; it adds to the profile page through the ``organization_panels`` hook.
Every function takes the session and the district: nothing crosses districts.
See docs/organizations.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, exists, select

from core.models.organizations import (
    STAFF_ROLES,
    MemberRole,
    Organization,
    OrganizationArea,
    OrganizationMember,
    OrgKind,
    OrgStatus,
    RegisteredType,
)
from core.organizations.credit_code import is_valid_credit_code
from core.organizations.service import (
    OrganizationInput,
    add_member,
    create_organization,
    get_organization,
    supervised_by,
    update_organization,
)
from core.organizations.standing import Standing, standing_of

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

__all__ = (
    "MemberRole",
    "OrgKind",
    "OrgStatus",
    "Organization",
    "OrganizationInput",
    "RegisteredType",
    "Standing",
    "add_member",
    "create_organization",
    "get_organization",
    "hub_of",
    "is_member",
    "is_staff_of",
    "is_valid_credit_code",
    "organizations_of_user",
    "places_around",
    "role_in",
    "serves_any",
    "staff_ids",
    "standing_of",
    "supervised_by",
    "update_organization",
)


async def role_in(session: AsyncSession, district: District, organization_id: int, user_id: int) -> MemberRole | None:
    """The user's role in the organization (leader, staff, member), or ``None`` if they have none."""
    return (
        await session.execute(
            select(OrganizationMember.role).where(
                OrganizationMember.district_id == district.id,
                OrganizationMember.organization_id == organization_id,
                OrganizationMember.user_id == user_id,
            )
        )
    ).scalar_one_or_none()


async def is_member(session: AsyncSession, district: District, organization_id: int, user_id: int) -> bool:
    """Whether the user has any role in the organization."""
    return await role_in(session, district, organization_id, user_id) is not None


async def is_staff_of(session: AsyncSession, district: District, organization_id: int, user_id: int) -> bool:
    """Whether the user is a leader (负责人) or staff (工作人员) of the organization."""
    return await role_in(session, district, organization_id, user_id) in STAFF_ROLES


async def organizations_of_user(
    session: AsyncSession,
    district: District,
    user_id: int,
    roles: Iterable[MemberRole | str] | None = None,
) -> list[Organization]:
    """The organizations of the district where the user has a role (one of ``roles``, if given), by name."""
    query = (
        select(Organization)
        .join(OrganizationMember, OrganizationMember.organization_id == Organization.id)
        .where(Organization.district_id == district.id, OrganizationMember.user_id == user_id)
        .order_by(Organization.name)
    )
    if roles is not None:
        query = query.where(OrganizationMember.role.in_([MemberRole(r).value for r in roles]))
    return list((await session.execute(query)).scalars())


async def hub_of(session: AsyncSession, district: District, organization_id: int) -> Organization | None:
    """The hub organization (枢纽型社会组织) that supervises the organization, if any."""
    org = await get_organization(session, district, organization_id)
    if org.hub_id is None:
        return None
    return await get_organization(session, district, org.hub_id)


async def staff_ids(session: AsyncSession, district: District, organization_id: int) -> list[int]:
    """The user ids of the organization's leaders and staff (whom a module notifies about it)."""
    query = select(OrganizationMember.user_id).where(
        OrganizationMember.district_id == district.id,
        OrganizationMember.organization_id == organization_id,
        OrganizationMember.role.in_([r.value for r in STAFF_ROLES]),
    )
    return sorted(set((await session.execute(query)).scalars()))


async def places_around(session: AsyncSession, district: District, unit_id: int) -> set[int]:
    """The org unit, the units inside it (a street's communities and estates) and the units it lies in.

    An organization serves a community when one of its service areas is the community, an
    estate of it or the street it belongs to: pass the result to :func:`serves_any`.
    Empty when the unit is not the district's.
    """
    from core.models import OrgUnit  # noqa: PLC0415

    query = select(OrgUnit.id, OrgUnit.parent_id).where(OrgUnit.district_id == district.id)
    parent: dict[int, int | None] = dict((await session.execute(query)).tuples().all())
    if unit_id not in parent:
        return set()
    found = {unit_id}
    up = parent[unit_id]
    while up is not None and up not in found:
        found.add(up)
        up = parent.get(up)
    inside = {unit_id}
    while True:
        more = {uid for uid, pid in parent.items() if pid in inside and uid not in inside}
        if not more:
            break
        inside |= more
    return found | inside


def serves_any(unit_ids: Iterable[int]) -> ColumnElement[bool]:
    """SQL: the organization has one of these org units among its service areas (服务区域)."""
    return exists().where(
        OrganizationArea.organization_id == Organization.id, OrganizationArea.org_unit_id.in_(set(unit_ids) or {0})
    )
