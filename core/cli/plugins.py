"""`sanshe plugins` commands: list installed plugins, enable or disable one per district."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from core.cli.common import CliError, echo_table, get_district, run_async
from core.refusal import ServiceError
from core.services.plugins import districts_enabled, get_module, set_enabled

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugins import PluginHost

__all__ = ("register",)


def _host() -> PluginHost:
    from core.config import load_settings  # noqa: PLC0415
    from core.plugins import PluginHost  # noqa: PLC0415

    return PluginHost.load(load_settings().allowed_plugins)


def _parse_settings(pairs: tuple[str, ...]) -> dict[str, str]:
    settings: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            msg = f"设置应写成 名称=值：{pair!r} / a setting is written name=value: {pair!r}"
            raise CliError(msg)
        settings[name.strip()] = value
    return settings


@click.group("plugins")
def plugins() -> None:
    """模块（插件）：列出、按区启用或停用 / Plugins: list, enable or disable per district."""


@plugins.command("list")
def list_() -> None:
    """List installed plugins: key, name, version, source, hooks, districts where enabled."""
    host = _host()

    async def work(session: AsyncSession) -> dict[str, list[str]]:
        return await districts_enabled(session)

    where = run_async(work)
    rows = [
        [
            p.key,
            p.manifest.name_zh,
            p.manifest.version,
            p.source,
            ", ".join(h for h in p.hooks if h != "plugin_manifest") or "—",
            ", ".join(where.get(p.key, [])) or "—",
        ]
        for p in host.plugins
    ]
    if not rows:
        click.echo("没有安装插件 / no plugins are installed")
        return
    echo_table(rows, ["键 key", "名称 name", "版本 version", "来源 source", "钩子 hooks", "已启用的区 enabled in"])


@plugins.command("enable")
@click.argument("key")
@click.option("--district", "code", required=True, help="区代码，如 haishu / district code.")
@click.option(
    "--setting", "settings", multiple=True, metavar="NAME=VALUE", help="该区的设置，可重复 / a setting (repeatable)."
)
def enable(key: str, code: str, settings: tuple[str, ...]) -> None:
    """Enable plugin KEY in a district (refused while a plugin it depends on is disabled there).

    Example: sanshe plugins enable time_bank --district haishu --setting hours_per_month=20
    """
    host = _host()
    values = _parse_settings(settings)

    async def work(session: AsyncSession) -> bool:
        district = await get_district(session, code)
        try:
            get_module(host, key)
        except ServiceError as exc:
            known = ", ".join(p.key for p in host.plugins) or "—"
            msg = f"{exc.message}（已安装 / installed: {known}）"
            raise CliError(msg) from exc
        try:
            return await set_enabled(session, district, host, key, enabled=True, settings=values or None)
        except ServiceError as exc:
            raise CliError(exc.describe()) from exc

    changed = run_async(work)
    if changed:
        click.echo(f"已在 {code} 启用 {key} / enabled {key} in {code}")
    else:
        click.echo(f"{key} 在 {code} 已是启用状态 / {key} was already enabled in {code}")


@plugins.command("disable")
@click.argument("key")
@click.option("--district", "code", required=True, help="区代码 / district code.")
def disable(key: str, code: str) -> None:
    """Disable plugin KEY in a district (refused while an enabled plugin depends on it).

    Its pages then answer 404 there and its menu items disappear; its data is kept.
    """
    host = _host()

    async def work(session: AsyncSession) -> bool:
        district = await get_district(session, code)
        try:
            return await set_enabled(session, district, host, key, enabled=False)
        except ServiceError as exc:
            raise CliError(exc.describe()) from exc

    changed = run_async(work)
    if changed:
        click.echo(f"已在 {code} 停用 {key} / disabled {key} in {code}")
    else:
        click.echo(f"{key} 在 {code} 本来就未启用 / {key} was not enabled in {code}")


def register(cli: click.Group) -> None:
    """Add this module's commands to ``cli``."""
    cli.add_command(plugins)
