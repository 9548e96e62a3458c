"""``sanshe council digest`` (run daily by cron) and ``sanshe council list``."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from core.plugin_api import District, DistrictPlugin, for_district
from core.plugin_api.cli import CliError, echo_table, get_district, run_async
from plugins.consultation_council.actions import Upkeep, daily_upkeep
from plugins.consultation_council.councils import list_councils, members, today
from plugins.consultation_council.manifest import KEY

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("register",)


def register(cli: click.Group) -> None:
    """Add the ``council`` command group to ``cli``."""

    @cli.group("council")
    def council() -> None:
        """议事协商 / Consultation council."""

    @council.command("digest")
    @click.option(
        "--district", "code", default=None, help="区代码 / district code (default: every district with the plugin on)"
    )
    @click.option("--day", default=None, help="日期 YYYY-MM-DD（默认今天）/ the digest's day (default: today)")
    def digest_command(code: str | None, day: str | None) -> None:
        """每日运行：生效决议、逾期与评议提醒、每日摘要 / Daily run: in force, reminders, digests."""
        try:
            when = date.fromisoformat(day) if day else today()
        except ValueError as exc:
            raise click.BadParameter(f"日期格式 YYYY-MM-DD / use YYYY-MM-DD: {day}") from exc
        results = run_async(lambda session: _digest(session, code, when))
        for name, done in results:
            click.echo(
                f"{name}: 生效 {done.in_force} / in force, 逾期提醒 {done.overdue_reminders} / overdue, "
                f"评议提醒 {done.review_reminders} / reviews, 摘要 {done.digests} / digests"
            )

    @council.command("list")
    @click.option("--district", "code", required=True, help="区代码 / district code, e.g. haishu")
    def list_command(code: str) -> None:
        """列出议事会 / List a district's councils."""
        rows = run_async(lambda session: _councils(session, code))
        if not rows:
            click.echo("（暂无议事会 / no councils）")
            return
        echo_table(rows, ["id", "名称/name", "成员/members", "附议门槛/threshold"])


async def _enabled_districts(session: AsyncSession, code: str | None) -> list[District]:
    if code is not None:
        district = await get_district(session, code)
        for_district(session, district.id)
        enabled = (
            await session.execute(select(DistrictPlugin.enabled).where(DistrictPlugin.plugin_key == KEY))
        ).scalar_one_or_none()
        if not enabled:
            msg = f"{code} 区未启用议事协商模块 / the consultation council is not enabled in district {code!r}"
            raise CliError(msg)
        return [district]
    query = (
        select(District)
        .join(DistrictPlugin, DistrictPlugin.district_id == District.id)
        .where(DistrictPlugin.plugin_key == KEY, DistrictPlugin.enabled.is_(True))
        .order_by(District.code)
    )
    return list((await session.execute(query)).scalars())


async def _digest(session: AsyncSession, code: str | None, day: date) -> list[tuple[str, Upkeep]]:
    out = []
    for district in await _enabled_districts(session, code):
        for_district(session, district.id)
        out.append((district.code, await daily_upkeep(session, district, day)))
    return out


async def _councils(session: AsyncSession, code: str) -> list[list[str]]:
    await _enabled_districts(session, code)
    return [
        [str(c.id), c.name, str(len(await members(session, c.id))), str(c.support_threshold)]
        for c in await list_councils(session)
    ]
