"""``sanshe notices list --district CODE``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from core.plugin_api import TIMEZONE, DistrictPlugin, OrgUnit, for_district
from core.plugin_api.cli import CliError, echo_table, get_district, run_async
from plugins.notices.manifest import KEY
from plugins.notices.service import list_notices

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("register",)


def register(cli: click.Group) -> None:
    """Add the ``notices`` command group to ``cli``."""

    @cli.group("notices")
    def notices() -> None:
        """社区公告 / Community notices."""

    @notices.command("list")
    @click.option("--district", "code", required=True, help="区代码 / district code, e.g. haishu")
    def list_command(code: str) -> None:
        """列出一个区的公告 / List a district's notices, pinned first, newest first."""
        rows = run_async(lambda session: _rows(session, code))
        if not rows:
            click.echo("（暂无公告 / no notices）")
            return
        echo_table(rows, ["id", "置顶/pinned", "发布/published", "社区/community", "标题/title"])


async def _rows(session: AsyncSession, code: str) -> list[list[str]]:
    district = await get_district(session, code)
    for_district(session, district.id)
    enabled = (
        await session.execute(select(DistrictPlugin.enabled).where(DistrictPlugin.plugin_key == KEY))
    ).scalar_one_or_none()
    if not enabled:
        msg = f"{code} 区未启用社区公告模块 / the notices plugin is not enabled in district {code!r}"
        raise CliError(msg)
    names = {u.id: u.name_zh for u in (await session.execute(select(OrgUnit))).scalars()}
    return [
        [
            str(n.id),
            "★" if n.pinned else "",
            n.published_at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M"),
            names.get(n.org_unit_id or 0, "全区"),
            n.title,
        ]
        for n in await list_notices(session, include_scheduled=True)
    ]
