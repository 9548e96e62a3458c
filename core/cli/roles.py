"""`sanshe roles` commands: list, create, rename, delete a district's roles, show or set their permissions,
grant or revoke one to a user (the admin page 管理 → 角色 and ``/api/v1/districts/<code>/roles``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from core.cli.common import CliError, echo_table, get_district, run_async
from core.models import Membership, OrgUnit, User
from core.refusal import ServiceError
from core.services.memberships import add_membership, remove_membership
from core.services.roles import (
    NeedsConfirmation,
    create_role,
    delete_role,
    get_role,
    list_roles,
    permissions_of,
    rename_role,
    role_usage,
    set_permissions,
)

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
    """角色：列出、新建、改名、删除、权限、授予、收回 / Roles: list, create, rename, delete, permissions, grant."""


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


@roles.command("create")
@click.argument("key")
@click.option("--district", "code", required=True, help="区代码 / district code.")
@click.option("--name-zh", required=True, help="中文名称 / Chinese name.")
@click.option("--name-en", default="", help="英文名称 / English name.")
def create(key: str, code: str, name_zh: str, name_en: str) -> None:
    """Add a role KEY of the district's own (no permissions until some are set).

    Example: sanshe roles create street_inspector --district haishu --name-zh 街道巡查员
    """

    async def work(session: AsyncSession) -> None:
        district = await get_district(session, code)
        try:
            await create_role(session, district, key=key, name_zh=name_zh, name_en=name_en)
        except ServiceError as exc:
            raise CliError(exc.describe()) from exc

    run_async(work)
    click.echo(f"已新建角色 {key}（{code}）/ created the role {key} in {code}")


@roles.command("rename")
@click.argument("key")
@click.option("--district", "code", required=True, help="区代码 / district code.")
@click.option("--name-zh", required=True, help="中文名称 / Chinese name.")
@click.option("--name-en", default="", help="英文名称 / English name.")
def rename(key: str, code: str, name_zh: str, name_en: str) -> None:
    """Change the names of the role KEY (its key stays)."""

    async def work(session: AsyncSession) -> None:
        district = await get_district(session, code)
        await _role(session, district, key)
        try:
            await rename_role(session, district, key, name_zh=name_zh, name_en=name_en)
        except ServiceError as exc:
            raise CliError(exc.describe()) from exc

    run_async(work)
    click.echo(f"已保存 / saved: {key} = {name_zh}")


@roles.command("delete")
@click.argument("key")
@click.option("--district", "code", required=True, help="区代码 / district code.")
def delete(key: str, code: str) -> None:
    """Delete the role KEY the district made, once nobody holds it."""

    async def work(session: AsyncSession) -> None:
        district = await get_district(session, code)
        await _role(session, district, key)
        try:
            await delete_role(session, district, key)
        except ServiceError as exc:
            raise CliError(exc.describe()) from exc

    run_async(work)
    click.echo(f"已删除角色 {key}（{code}）/ deleted the role {key} in {code}")


@roles.command("permissions")
@click.argument("key")
@click.option("--district", "code", required=True, help="区代码 / district code.")
@click.option(
    "--set",
    "wanted",
    multiple=True,
    metavar="RESOURCE:ACTION",
    help="设为这些权限（可重复）/ replace the permissions by these (repeatable).",
)
@click.option("--clear", is_flag=True, help="去掉全部可编辑的权限 / take every editable permission away.")
@click.option("--yes", is_flag=True, help="确认收回权限 / confirm taking permissions away.")
def permissions(key: str, code: str, wanted: tuple[str, ...], clear: bool, yes: bool) -> None:
    """Print the permissions of the role KEY, or replace them with --set (as the role's page does).

    Example: sanshe roles permissions department_staff --district haishu --set dashboard:view
    --set case:resident_request:view (the action is after the last colon).
    """
    pairs = []
    for item in wanted:
        resource, _sep, action = item.rpartition(":")
        if not resource or not action:
            msg = f"权限须写成 资源:动作 / a permission is RESOURCE:ACTION, not {item!r}"
            raise CliError(msg)
        pairs.append((resource, action))

    async def work(session: AsyncSession) -> list[tuple[str, str]]:
        from core.config import load_settings  # noqa: PLC0415
        from core.plugins import PluginHost  # noqa: PLC0415

        district = await get_district(session, code)
        await _role(session, district, key)
        if pairs or clear:
            host = PluginHost.load(load_settings().allowed_plugins)
            try:
                await set_permissions(session, district, host, key, pairs, confirmed=yes)
            except NeedsConfirmation as exc:
                removed = ", ".join(f"{r}:{a}" for r, a in exc.removed)
                msg = f"将收回 {removed}；加 --yes 确认 / this takes away {removed}; add --yes to confirm"
                raise CliError(msg) from exc
            except ServiceError as exc:
                raise CliError(exc.describe()) from exc
        return sorted(await permissions_of(session, district, key))

    rows = run_async(work)
    if pairs or clear:
        click.echo(f"已保存 {key} 的权限 / saved the permissions of {key}")
    for resource, action in rows:
        click.echo(f"{resource}:{action}")


def register(cli: click.Group) -> None:
    """Add this module's commands to ``cli``."""
    cli.add_command(roles)
