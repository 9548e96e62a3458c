"""`sanshe roles` commands: list a district's roles, grant or revoke one to a user."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from core.cli.common import CliError, echo_table, get_district, run_async
from core.models import Membership, OrgUnit, User
from core.services import ServiceError
from core.services.memberships import add_membership, remove_membership
from core.services.roles import get_role, list_roles, permissions_of, role_usage

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import District

__all__ = ("register",)


async def _user(session: AsyncSession, username: str) -> User:
    user = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
    if user is None:
        msg = f"没有用户名为 {username!r} 的用户 / no user called {username!r}"
        raise CliError(msg)
    return user


async def _unit_id(session: AsyncSession, district: District, code: str | None) -> int | None:
    if not code:
        return None
    unit_id = (
        await session.execute(select(OrgUnit.id).where(OrgUnit.district_id == district.id, OrgUnit.code == code))
    ).scalar_one_or_none()
    if unit_id is None:
        msg = f"{district.code} 没有代码为 {code!r} 的组织 / no org unit {code!r} in {district.code}"
        raise CliError(msg)
    return int(unit_id)


async def _role(session: AsyncSession, district: District, key: str) -> None:
    try:
        await get_role(session, district, key)
    except ServiceError as exc:
        known = ", ".join(r.key for r in await list_roles(session, district))
        msg = f"{district.code} 没有角色 {key!r} / no role {key!r} in {district.code} (known: {known})"
        raise CliError(msg) from exc


@click.group("roles")
def roles() -> None:
    """角色：列出、授予、收回 / Roles: list, grant, revoke."""


@roles.command("list")
@click.option("--district", "code", required=True, help="区代码 / district code.")
def list_(code: str) -> None:
    """List a district's roles with their members and permission counts."""

    async def work(session: AsyncSession) -> list[list[object]]:
        district = await get_district(session, code)
        usage = await role_usage(session, district)
        return [
            [
                r.key,
                r.name_zh,
                r.name_en,
                r.plugin_key or ("core" if r.builtin else "—"),
                usage.get(r.key, 0),
                len(await permissions_of(session, district, r.key)),
            ]
            for r in await list_roles(session, district)
        ]

    echo_table(run_async(work), ["键 key", "名称 name", "name (en)", "来自 from", "成员 members", "权限 permissions"])


@roles.command("grant")
@click.argument("username")
@click.argument("role")
@click.option("--district", "code", required=True, help="区代码 / district code.")
@click.option("--org-unit", "unit", default=None, help="限于某组织（代码）/ limit to an org unit (its code).")
def grant(username: str, role: str, code: str, unit: str | None) -> None:
    """Give USERNAME the role ROLE in a district (granting it twice changes nothing).

    Example: sanshe roles grant worker community_worker --district haishu --org-unit pingqiao
    """

    async def work(session: AsyncSession) -> bool:
        district = await get_district(session, code)
        user = await _user(session, username)
        await _role(session, district, role)
        unit_id = await _unit_id(session, district, unit)
        try:
            _, created = await add_membership(session, district, user, role, unit_id)
        except ServiceError as exc:
            raise CliError(exc.describe()) from exc
        return created

    if run_async(work):
        click.echo(f"已授予 {username} 角色 {role}（{code}）/ granted {role} to {username} in {code}")
    else:
        click.echo(f"{username} 已有角色 {role}（{code}）/ {username} already has {role} in {code}")


@roles.command("revoke")
@click.argument("username")
@click.argument("role")
@click.option("--district", "code", required=True, help="区代码 / district code.")
@click.option(
    "--org-unit", "unit", default=None, help="只收回限于该组织的角色 / only the membership limited to this unit."
)
def revoke(username: str, role: str, code: str, unit: str | None) -> None:
    """Take the role ROLE in a district away from USERNAME (nothing to do is not an error)."""

    async def work(session: AsyncSession) -> int:
        district = await get_district(session, code)
        user = await _user(session, username)
        await _role(session, district, role)
        unit_id = await _unit_id(session, district, unit)
        query = select(Membership.id).where(
            Membership.district_id == district.id, Membership.user_id == user.id, Membership.role_key == role
        )
        if unit_id is not None:
            query = query.where(Membership.org_unit_id == unit_id)
        ids = list((await session.execute(query)).scalars())
        for membership_id in ids:
            await remove_membership(session, district, membership_id)
        return len(ids)

    if run_async(work):
        click.echo(f"已收回 {username} 的角色 {role}（{code}）/ revoked {role} from {username} in {code}")
    else:
        click.echo(f"{username} 本来就没有角色 {role}（{code}）/ {username} did not have {role} in {code}")


def register(cli: click.Group) -> None:
    """Add this module's commands to ``cli``."""
    cli.add_command(roles)
