"""Building test data directly in the database: async helpers run by the ``seed`` fixture.

The core's tests and the built-in plugins' tests write their worlds with these (the
``sanshe_factory`` fixture does the same through synchronous methods).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.auth.passwords import hash_password
from core.models import District, Membership, OrgUnit, OrgUnitKind, User
from core.services.policies import ensure_district_defaults
from core.testing.web import PASSWORD

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("PASSWORD", "make_district", "make_org_unit", "make_user")


@functools.cache
def _hash() -> str:
    """One hash of ``PASSWORD`` for every test user, made after the kit chose the test's argon2 parameters."""
    return hash_password(PASSWORD)


async def make_district(session: AsyncSession, code: str = "haishu", name_zh: str = "海曙区", **kw: object) -> District:
    """A district with its default roles and policies (returns the existing one if the code exists)."""
    existing = (await session.execute(select(District).where(District.code == code))).scalar_one_or_none()
    if existing is not None:
        return existing
    district = District(
        code=code,
        name_zh=name_zh,
        name_en=str(kw.pop("name_en", code.title())),
        ref_prefix=str(kw.pop("ref_prefix", code[:2].upper())),
        **kw,
    )
    session.add(district)
    await session.flush()
    await ensure_district_defaults(session, district)
    return district


async def make_org_unit(
    session: AsyncSession, district: District, code: str, name_zh: str, kind: OrgUnitKind, parent: OrgUnit | None = None
) -> OrgUnit:
    unit = OrgUnit(
        district_id=district.id, code=code, name_zh=name_zh, kind=kind, parent_id=parent.id if parent else None
    )
    session.add(unit)
    await session.flush()
    return unit


async def make_user(
    session: AsyncSession,
    username: str,
    *,
    district: District | None = None,
    roles: tuple[str, ...] = (),
    org_unit: OrgUnit | None = None,
    platform_admin: bool = False,
    password: str = PASSWORD,
) -> User:
    """A user with ``roles`` in ``district``."""
    user = User(
        username=username,
        display_name=username,
        password_hash=_hash() if password == PASSWORD else hash_password(password),
        is_platform_admin=platform_admin,
    )
    session.add(user)
    await session.flush()
    for role in roles:
        assert district is not None
        session.add(
            Membership(
                user_id=user.id, district_id=district.id, role_key=role, org_unit_id=org_unit.id if org_unit else None
            )
        )
    await session.flush()
    if district is not None and roles:
        from core.rbac import bump_policy_version  # noqa: PLC0415

        await bump_policy_version(session, district, load=False)  # the next request context loads the rules
    return user
