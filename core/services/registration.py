"""Residents who register themselves: a phone number and a password, pending until a community worker confirms.

A registration is an account (username = the normalised mobile number) with one membership in
the chosen district under the role ``resident_pending``, which may open the dashboard and
nothing else: no filing, no supporting or voting. Confirming turns that membership into
``resident``; refusing removes it (and closes the account when it has no other district).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.forms.formats import normalize_phone
from core.i18n import gettext as _
from core.models import Membership, OrgUnit, OrgUnitKind, User
from core.rbac import bump_policy_version
from core.refusal import ConflictError, NotFoundError, ServiceError, raise_if
from core.services.memberships import create_user

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

__all__ = (
    "PENDING_ROLE",
    "Pending",
    "communities",
    "confirm",
    "list_pending",
    "refuse",
    "register_resident",
)

PENDING_ROLE = "resident_pending"
CONFIRMED_ROLE = "resident"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
MAX_NAME = 50


@dataclass(frozen=True)
class Pending:
    """A registration waiting for a community worker."""

    user_id: int
    name: str
    phone: str
    community: str
    registered_at: datetime | None


async def communities(session: AsyncSession, district: District) -> list[tuple[int, str]]:
    """``(id, name)`` of the district's communities, for the registration form."""
    query = (
        select(OrgUnit)
        .where(OrgUnit.district_id == district.id, OrgUnit.kind == OrgUnitKind.COMMUNITY)
        .order_by(OrgUnit.code)
    )
    return [(u.id, u.name_zh) for u in (await session.execute(query)).scalars()]


async def register_resident(
    session: AsyncSession,
    district: District,
    *,
    name: str,
    phone: str,
    password: str,
    password_again: str,
    community_id: int | None = None,
) -> User:
    """Create the pending account; refuses (nothing written) with a message per field."""
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("Enter your name.")
    elif len(name) > MAX_NAME:
        errors["name"] = _("The name is too long (at most 50 characters).")
    mobile = normalize_phone(phone)
    if not mobile or not _MOBILE.match(mobile):
        errors["phone"] = _("Enter a mobile number of 11 digits (e.g. 13805741234).")
    if not password:
        errors["password"] = _("Choose a password.")
    elif password != password_again:
        errors["password_again"] = _("The two passwords are not the same.")
    if community_id is not None and community_id not in {cid for cid, _n in await communities(session, district)}:
        errors["community_id"] = _("Choose your community.")
    raise_if(errors)
    assert mobile is not None
    taken = (await session.execute(select(User.id).where(User.username == mobile))).first()
    if taken:
        raise ConflictError(_("This phone number is already registered: log in with it."), "phone")
    try:
        return await create_user(
            session,
            district,
            username=mobile,
            password=password,
            role_key=PENDING_ROLE,
            display_name=name,
            phone=mobile,
            org_unit_id=community_id,
        )
    except ServiceError as exc:  # the password's strength: the field is the same
        raise ServiceError(exc.text(), (exc.errors and next(iter(exc.errors))) or "password", exc.errors) from exc


async def list_pending(session: AsyncSession, district: District) -> list[Pending]:
    """Registrations of the district waiting to be confirmed, oldest first."""
    query = (
        select(User, Membership, OrgUnit)
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(OrgUnit, OrgUnit.id == Membership.org_unit_id)
        .where(Membership.district_id == district.id, Membership.role_key == PENDING_ROLE)
        .order_by(Membership.id)
    )
    return [
        Pending(user.id, user.display_name, user.phone, unit.name_zh if unit else "", getattr(user, "created_at", None))
        for user, _m, unit in (await session.execute(query)).all()
    ]


async def _pending_membership(session: AsyncSession, district: District, user_id: int) -> Membership:
    query = select(Membership).where(
        Membership.district_id == district.id, Membership.user_id == user_id, Membership.role_key == PENDING_ROLE
    )
    found = (await session.execute(query.with_for_update())).scalars().first()
    if found is None:
        raise NotFoundError(_("No registration is waiting for this person."))
    return found


async def confirm(session: AsyncSession, district: District, user_id: int) -> User:
    """The community worker confirms: the person becomes a resident of the district."""
    membership = await _pending_membership(session, district, user_id)
    membership.role_key = CONFIRMED_ROLE
    await session.flush()
    await bump_policy_version(session, district)
    user = await session.get(User, user_id)
    assert user is not None
    return user


async def refuse(session: AsyncSession, district: District, user_id: int) -> None:
    """The registration is refused: its membership goes; an account with no other district is closed."""
    membership = await _pending_membership(session, district, user_id)
    await session.delete(membership)
    await session.flush()
    others = (await session.execute(select(Membership.id).where(Membership.user_id == user_id))).first()
    if others is None:
        user = await session.get(User, user_id)
        if user is not None:
            user.is_active = False
    await bump_policy_version(session, district)
