"""Users of a district and their memberships (user × district × org unit × role)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.auth.passwords import check_password_strength, hash_password
from core.i18n import gettext as _
from core.models import Membership, OrgUnit, Role, User
from core.rbac import bump_policy_version
from core.refusal import MAX_NAME, ConflictError, NotFoundError, ServiceError, raise_if
from core.services.org_units import get_unit

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

__all__ = (
    "NOT_STAFF",
    "MemberRow",
    "add_membership",
    "assignable_members",
    "create_user",
    "get_member",
    "get_membership",
    "list_members",
    "memberships_of",
    "remove_membership",
)

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$")
# Roles of the people a district serves, not of its staff: never offered as assignees, and
# their names are never listed to other users in pickers.
NOT_STAFF = frozenset({"resident", "volunteer", "resident_pending"})


async def assignable_members(session: AsyncSession, district: District) -> list[tuple[str, str]]:
    """(id, name) of the district's active staff: users with a role other than resident or volunteer."""
    rows = await session.execute(
        select(User.id, User.display_name, User.username, Membership.role_key)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.district_id == district.id, User.is_active.is_(True))
        .order_by(User.username)
    )
    out: dict[str, str] = {}
    for uid, name, username, role in rows:
        if role not in NOT_STAFF:
            out[str(uid)] = name or username
    return list(out.items())


@dataclass
class MemberRow:
    """A user of the district with their memberships there."""

    user: User
    memberships: list[tuple[Membership, OrgUnit | None]] = field(default_factory=list)


async def list_members(session: AsyncSession, district: District) -> list[MemberRow]:
    """Every user with at least one membership in ``district``, by username."""
    rows = await session.execute(
        select(User, Membership, OrgUnit)
        .join(Membership, Membership.user_id == User.id)
        .outerjoin(OrgUnit, OrgUnit.id == Membership.org_unit_id)
        .where(Membership.district_id == district.id)
        .order_by(User.username, Membership.role_key, Membership.id)
    )
    members: dict[int, MemberRow] = {}
    for user, membership, unit in rows:
        members.setdefault(user.id, MemberRow(user)).memberships.append((membership, unit))
    return list(members.values())


async def get_member(session: AsyncSession, district: District, user_id: int | None) -> User:
    """A user who is a member of ``district``, or :class:`NotFoundError`."""
    user = None
    if user_id is not None:
        user = (
            await session.execute(
                select(User)
                .join(Membership, Membership.user_id == User.id)
                .where(User.id == user_id, Membership.district_id == district.id)
                .limit(1)
            )
        ).scalar_one_or_none()
    if user is None:
        raise NotFoundError(_("There is no such user in this district."), "user")
    return user


async def memberships_of(
    session: AsyncSession, district: District, user: User
) -> list[tuple[Membership, OrgUnit | None]]:
    """The user's memberships in ``district`` with their org units."""
    rows = await session.execute(
        select(Membership, OrgUnit)
        .outerjoin(OrgUnit, OrgUnit.id == Membership.org_unit_id)
        .where(Membership.district_id == district.id, Membership.user_id == user.id)
        .order_by(Membership.role_key, Membership.id)
    )
    return [(m, u) for m, u in rows]


async def get_membership(session: AsyncSession, district: District, membership_id: int | None) -> Membership:
    """A membership of ``district``, or :class:`NotFoundError`."""
    membership = None
    if membership_id is not None:
        membership = (
            await session.execute(
                select(Membership).where(Membership.id == membership_id, Membership.district_id == district.id)
            )
        ).scalar_one_or_none()
    if membership is None:
        raise NotFoundError(_("There is no such membership in this district."), "membership")
    return membership


async def _check_role(session: AsyncSession, district: District, role_key: str) -> Role:
    role = (
        await session.execute(select(Role).where(Role.district_id == district.id, Role.key == role_key))
    ).scalar_one_or_none()
    if role is None:
        raise ServiceError(_("Choose a role of this district."), "role")
    return role


async def add_membership(
    session: AsyncSession, district: District, user: User, role_key: str, org_unit_id: int | None = None
) -> tuple[Membership, bool]:
    """Give ``user`` the role ``role_key`` in ``district`` (optionally limited to an org unit).

    Returns the membership and whether it is new (adding it twice changes nothing).
    """
    await _check_role(session, district, role_key)
    if org_unit_id is not None:
        await get_unit(session, district, org_unit_id)
    existing = (
        await session.execute(
            select(Membership).where(
                Membership.user_id == user.id,
                Membership.district_id == district.id,
                Membership.role_key == role_key,
                Membership.org_unit_id.is_(None) if org_unit_id is None else Membership.org_unit_id == org_unit_id,
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        return existing, False
    membership = Membership(user_id=user.id, district_id=district.id, role_key=role_key, org_unit_id=org_unit_id)
    session.add(membership)
    await session.flush()
    await bump_policy_version(session, district)
    return membership, True


async def remove_membership(session: AsyncSession, district: District, membership_id: int) -> None:
    """Remove one membership of ``district``."""
    membership = await get_membership(session, district, membership_id)
    await session.delete(membership)
    await session.flush()
    await bump_policy_version(session, district)


async def create_user(
    session: AsyncSession,
    district: District,
    *,
    username: str,
    password: str,
    role_key: str,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    org_unit_id: int | None = None,
) -> User:
    """Create an account with a first role in ``district``."""
    username, display_name = (username or "").strip(), (display_name or "").strip()
    errors: dict[str, str] = {}
    if not USERNAME_RE.match(username):
        errors["username"] = _("The username must be 2 to 64 letters, digits, '.', '_' or '-'.")
    weak = check_password_strength(password or "", username)
    if weak:
        errors["password"] = _(weak)
    if len(display_name) > MAX_NAME:
        errors["display_name"] = _("The name is too long (at most 100 characters).")
    raise_if(errors)
    await _check_role(session, district, role_key)
    if org_unit_id is not None:
        await get_unit(session, district, org_unit_id)
    taken = (await session.execute(select(User.id).where(User.username == username))).first()
    if taken:
        raise ConflictError(_("The username %(username)s is already taken.", username=username), "username")
    user = User(
        username=username,
        display_name=display_name,
        email=(email or "").strip(),
        phone=(phone or "").strip(),
        password_hash=hash_password(password),
    )
    session.add(user)
    await session.flush()
    await add_membership(session, district, user, role_key, org_unit_id)
    return user
