"""`sanshe demo`: seed the demo district 海曙区 and print the demo logins."""

from __future__ import annotations

import asyncio

import click

from core.cli.common import CliError, echo_table, session_scope
from core.config import load_settings

__all__ = ("print_logins", "register")


def print_logins(host: str, port: int) -> None:
    """Print the demo logins and where to use them."""
    from core.demo import DEMO_PASSWORD, DEMO_USERS  # noqa: PLC0415

    click.echo(f"\n演示账号 / demo logins — 密码 / password: {DEMO_PASSWORD}")
    echo_table([[u.username, f"{u.what_zh} / {u.what_en}"] for u in DEMO_USERS], ["用户名 / username", "角色 / role"])
    click.echo(f"\n登录 / log in: http://{host}:{port}/login  (区 / district: 海曙区 haishu)")


async def _check_migrated(url: str) -> None:
    from core.plugins.migrations import current, heads  # noqa: PLC0415

    now = await current(url)
    expected = heads()
    behind = [k for k, revs in now.items() if set(revs) != set(expected.get(k, ()))]
    if behind:
        msg = (
            f"数据库尚未迁移到最新（{', '.join(behind)}），请先运行 `sanshe db upgrade` / "
            f"the database is not up to date ({', '.join(behind)}): run `sanshe db upgrade` first"
        )
        raise CliError(msg)


def register(cli: click.Group) -> None:
    """Add the ``demo`` command to ``cli``."""

    @cli.command("demo")
    @click.option("--quiet", is_flag=True, help="Do not print the demo logins.")
    def demo(quiet: bool) -> None:
        """生成演示数据 / seed the demo district 海曙区 (haishu) with every plugin enabled (idempotent)."""
        from core.demo import seed_demo  # noqa: PLC0415
        from core.plugins import PluginHost  # noqa: PLC0415

        settings = load_settings()
        host = PluginHost.load(settings.allowed_plugins)
        host.register_catalogs()  # the plugins' demo texts (notices, council messages) in Chinese, not msgids

        async def run() -> list[str]:
            await _check_migrated(settings.database_url)
            async with session_scope(settings.database_url) as session:
                result = await seed_demo(session, host)
            return result.created

        created = asyncio.run(run())
        if created:
            n = len(created)
            click.echo(f"演示区 海曙区 已就绪，新建 {n} 项 / demo district ready, {n} things created")
        else:
            click.echo("演示区 海曙区 已存在，无需更改 / demo district already complete, nothing to change")
        if not quiet:
            print_logins(settings.host, settings.port)
