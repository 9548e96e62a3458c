"""`sanshe users` commands: accounts, their passwords and their personal API tokens."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click
from sqlalchemy import func, select

from core.auth.admin import WeakPasswordError, set_password
from core.auth.passwords import check_password_strength, hash_password
from core.auth.tokens import NAME_MAX, create_token, list_tokens, revoke_token
from core.cli.common import CliError, echo_table, get_district, run_async
from core.i18n import TIMEZONE, gettext, use_locale
from core.models import ApiToken, District, Membership, OrgUnit, Role, User
from core.rbac import bump_policy_version
from core.services.memberships import USERNAME_RE

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("register",)


def _both(msgid: str, **variables: object) -> str:
    """A message in Chinese, then in English: ``"……中文…… / english"``."""
    with use_locale("zh_CN"):
        chinese = gettext(msgid, **variables)
    english = msgid % variables if variables else msgid
    return chinese if chinese == english else f"{chinese} / {english}"


def _when(value: datetime | None) -> str:
    return value.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M") if value else "—"


def _read_password(*, from_stdin: bool, given: str | None, confirm: bool) -> str:
    """The password from ``--password``, the first line of stdin, or a hidden prompt."""
    if given is not None and from_stdin:
        raise CliError("--password 与 --password-stdin 只能选一个 / use either --password or --password-stdin")
    if given is not None:
        return given
    if from_stdin:
        line = sys.stdin.readline()
        if not line:
            raise CliError("标准输入中没有密码 / no password on standard input")
        return line.rstrip("\r\n")
    return str(click.prompt("密码 / password", hide_input=True, confirmation_prompt=confirm))


def _check_strength(password: str, username: str) -> None:
    problem = check_password_strength(password, username)
    if problem is not None:
        raise CliError(_both(problem))


async def _user(session: AsyncSession, username: str) -> User:
    user = (
        await session.execute(select(User).where(func.lower(User.username) == username.strip().lower()))
    ).scalar_one_or_none()
    if user is None:
        msg = f"没有用户名为 {username!r} 的用户 / no user called {username!r}"
        raise CliError(msg)
    return user


async def _check_role(session: AsyncSession, district: District, key: str) -> None:
    keys = list(
        (await session.execute(select(Role.key).where(Role.district_id == district.id).order_by(Role.key))).scalars()
    )
    if key not in keys:
        msg = f"{district.code} 没有角色 {key!r} / no role {key!r} in {district.code} (known: {', '.join(keys) or '—'})"
        raise CliError(msg)


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


def _check_username(username: str) -> str:
    name = username.strip()
    if not USERNAME_RE.match(name):
        msg = (
            f"用户名 {username!r} 无效：须为 2–64 个字母、数字或 . _ - / invalid username {username!r}: "
            "2 to 64 letters, digits, '.', '_' or '-'"
        )
        raise CliError(msg)
    return name


@click.group("users")
def users() -> None:
    """用户：创建、列出、改密码、API 令牌 / Users: create, list, passwords, API tokens."""


@users.command("create")
@click.argument("username")
@click.option("--password", default=None, help="密码（会留在命令历史中）/ password (stays in shell history).")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码 / read the password from standard input.")
@click.option("--display-name", default="", help="显示名称，如 张三 / the name people see.")
@click.option("--email", default="", help="电子邮箱 / e-mail address.")
@click.option("--phone", default="", help="手机号 / phone number.")
@click.option("--district", "district_code", default=None, help="区代码（与 --role 一起）/ district code, with --role.")
@click.option("--role", "role_key", default=None, help="该区中的角色键 / role key in that district.")
@click.option("--org-unit", "unit_code", default=None, help="限于某个组织（代码）/ limit the role to an org unit.")
@click.option("--platform-admin", is_flag=True, help="平台管理员（跨所有区）/ platform admin across all districts.")
def create(  # noqa: PLR0917 - one parameter per option
    username: str,
    password: str | None,
    password_stdin: bool,
    display_name: str,
    email: str,
    phone: str,
    district_code: str | None,
    role_key: str | None,
    unit_code: str | None,
    platform_admin: bool,
) -> None:
    """Create the account USERNAME, optionally with a role in a district.

    Without --password or --password-stdin the password is asked for (hidden, twice).

    Example: sanshe users create wang --display-name 王芳 --district haishu --role community_worker
    """
    name = _check_username(username)
    if bool(district_code) != bool(role_key):
        raise CliError("--district 与 --role 须一起使用 / --district and --role go together")
    if unit_code and not district_code:
        raise CliError("--org-unit 需要 --district 与 --role / --org-unit needs --district and --role")
    if len(display_name.strip()) > 100:
        raise CliError("显示名称最多 100 个字符 / the display name has at most 100 characters")

    async def check_free(session: AsyncSession) -> None:
        taken = (
            await session.execute(select(User.id).where(func.lower(User.username) == name.lower()))
        ).first()
        if taken:
            msg = (
                f"用户名 {name!r} 已存在；要给他角色请用 sanshe roles grant / "
                f"username {name!r} is already taken; to give that user a role use sanshe roles grant"
            )
            raise CliError(msg)
        if district_code and role_key:
            district = await get_district(session, district_code)
            await _check_role(session, district, role_key)
            await _unit_id(session, district, unit_code)

    # Every check that needs no password first, so a mistake is reported before the prompt.
    run_async(check_free)
    secret = _read_password(from_stdin=password_stdin, given=password, confirm=True)
    _check_strength(secret, name)

    async def work(session: AsyncSession) -> str:
        await check_free(session)
        user = User(
            username=name,
            display_name=display_name.strip(),
            email=email.strip(),
            phone=phone.strip(),
            password_hash=hash_password(secret),
            is_platform_admin=platform_admin,
        )
        session.add(user)
        await session.flush()
        done = f"已创建用户 {name} / created user {name}"
        if district_code and role_key:
            district = await get_district(session, district_code)
            unit_id = await _unit_id(session, district, unit_code)
            session.add(Membership(user_id=user.id, district_id=district.id, role_key=role_key, org_unit_id=unit_id))
            await session.flush()
            await bump_policy_version(session, district)
            done += f"（{district.code}: {role_key}{'@' + unit_code if unit_code else ''}）"
        if platform_admin:
            done += "（平台管理员 / platform admin）"
        return done

    click.echo(run_async(work))


@users.command("list")
@click.option("--district", "district_code", default=None, help="只列出该区的成员 / only members of this district.")
def list_(district_code: str | None) -> None:
    """List accounts with their roles (district:role@org-unit)."""

    async def work(session: AsyncSession) -> list[list[str]]:
        statement = select(User).order_by(User.username)
        district_id: int | None = None
        if district_code:
            district = await get_district(session, district_code)
            district_id = district.id
            statement = statement.where(
                User.id.in_(select(Membership.user_id).where(Membership.district_id == district.id))
            )
        accounts = list((await session.execute(statement)).scalars())
        roles_of: dict[int, list[str]] = {}
        rows = await session.execute(
            select(Membership.user_id, District.code, Membership.role_key, OrgUnit.code)
            .join(District, District.id == Membership.district_id)
            .outerjoin(OrgUnit, OrgUnit.id == Membership.org_unit_id)
            .order_by(District.code, Membership.role_key)
        )
        for user_id, code, role, unit in rows:
            if district_id is None or code == district_code:
                roles_of.setdefault(user_id, []).append(f"{code}:{role}" + (f"@{unit}" if unit else ""))
        return [
            [
                u.username,
                u.display_name,
                "是 yes" if u.is_active else "否 no",
                "是 yes" if u.is_platform_admin else "",
                ", ".join(roles_of.get(u.id, [])) or "—",
            ]
            for u in accounts
        ]

    rows = run_async(work)
    if not rows:
        click.echo("没有用户 / no users")
        return
    echo_table(rows, ["用户名 username", "名称 name", "启用 active", "平台管理员 platform admin", "角色 roles"])


@users.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取新密码 / read it from standard input.")
def set_password_(username: str, password_stdin: bool) -> None:
    """Set USERNAME's password (asked for, hidden, twice); all of that user's sessions end."""

    async def find(session: AsyncSession) -> str:
        return (await _user(session, username)).username

    name = run_async(find)
    secret = _read_password(from_stdin=password_stdin, given=None, confirm=True)
    _check_strength(secret, name)

    async def work(session: AsyncSession) -> int:
        user = await _user(session, name)
        try:
            return await set_password(session, user, secret)
        except WeakPasswordError as exc:  # pragma: no cover - checked above
            raise CliError(exc.message) from exc

    ended = run_async(work)
    click.echo(f"已修改 {name} 的密码，结束了 {ended} 个会话 / password of {name} changed, {ended} sessions ended")


@users.command("token")
@click.argument("username")
@click.option("--district", "district_code", required=True, help="令牌所属的区 / the district the token works in.")
@click.option("--name", "token_name", required=True, help="令牌名称，如 呼叫中心 / a name, e.g. where it is used.")
def token(username: str, district_code: str, token_name: str) -> None:
    """Create a personal API token for USERNAME in one district and print it (only this once)."""
    label = token_name.strip()
    if not label or len(label) > NAME_MAX:
        raise CliError(f"令牌名称须为 1–{NAME_MAX} 个字符 / the token name must have 1 to {NAME_MAX} characters")

    async def work(session: AsyncSession) -> str:
        user = await _user(session, username)
        district = await get_district(session, district_code)
        member = (
            await session.execute(
                select(Membership.id).where(Membership.user_id == user.id, Membership.district_id == district.id)
            )
        ).first()
        if member is None:
            msg = (
                f"{user.username} 在 {district.code} 没有角色，不能为该区创建令牌 / "
                f"{user.username} has no role in {district.code}, so no token for it"
            )
            raise CliError(msg)
        if not user.is_active:
            raise CliError(f"用户 {user.username} 已停用 / user {user.username} is deactivated")
        raw, _row = await create_token(session, user, district.id, label)
        return raw

    raw = run_async(work)
    click.echo(raw)
    click.echo("请立即保存：此令牌只显示这一次 / store it now: it is shown only this once", err=True)


@users.command("tokens")
@click.argument("username")
def tokens(username: str) -> None:
    """List USERNAME's API tokens (the values themselves are never stored)."""

    async def work(session: AsyncSession) -> list[list[object]]:
        user = await _user(session, username)
        return [
            [
                t.id,
                t.name,
                d.code,
                t.prefix + "…",
                _when(t.created_at),
                _when(t.last_used_at),
                _when(t.revoked_at) if t.revoked_at else "有效 active",
            ]
            for t, d in await list_tokens(session, user.id)
        ]

    rows = run_async(work)
    if not rows:
        click.echo("没有令牌 / no tokens")
        return
    echo_table(
        rows,
        ["ID", "名称 name", "区 district", "开头 prefix", "创建 created", "最近使用 last used", "撤销 revoked"],
    )


@users.command("revoke-token")
@click.argument("token_id", type=int)
def revoke_token_(token_id: int) -> None:
    """Revoke the API token with this ID (see `sanshe users tokens`); revoking twice is harmless."""

    async def work(session: AsyncSession) -> str:
        row = await session.get(ApiToken, token_id)
        if row is None:
            raise CliError(f"没有 ID 为 {token_id} 的令牌 / no token with ID {token_id}")
        if await revoke_token(session, row):
            return f"已撤销令牌 {token_id}（{row.name}）/ token {token_id} revoked"
        return f"令牌 {token_id} 早已撤销，未做改动 / token {token_id} was already revoked, nothing changed"

    click.echo(run_async(work))


def register(cli: click.Group) -> None:
    """Add this module's commands to ``cli``."""
    cli.add_command(users)
