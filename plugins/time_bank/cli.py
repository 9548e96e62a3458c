"""``sanshe time-bank banks|expire|incentives --district CODE``: what a cron job or an operator runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from core.plugin_api import DistrictPlugin, for_district
from core.plugin_api.cli import CliError, echo_table, get_district, run_async
from plugins.time_bank.manifest import KEY

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("register",)


async def _district(session: AsyncSession, code: str) -> District:
    district = await get_district(session, code)
    for_district(session, district.id)
    enabled = (
        await session.execute(select(DistrictPlugin.enabled).where(DistrictPlugin.plugin_key == KEY))
    ).scalar_one_or_none()
    if not enabled:
        msg = f"{code} 区未启用时间银行模块 / the time_bank plugin is not enabled in district {code!r}"
        raise CliError(msg)
    return district


def register(cli: click.Group) -> None:
    """Add the ``time-bank`` command group to ``cli``."""

    @cli.group("time-bank")
    def time_bank() -> None:
        """时间银行 / Time bank."""

    district_option = click.option("--district", "code", required=True, help="区代码 / district code, e.g. haishu")

    @time_bank.command("banks")
    @district_option
    def banks_command(code: str) -> None:
        """列出时间银行及其资金池余额 / List the district's banks with the hours they issued."""
        from plugins.time_bank import banks  # noqa: PLC0415

        async def rows(session: AsyncSession) -> list[list[str]]:
            await _district(session, code)
            out = []
            for bank in await banks.list_banks(session, active_only=False):
                pool = await banks.pool_account(session, bank)
                out.append([str(bank.id), bank.name, bank.organization, banks.fmt(-pool.balance)])
            return out

        echo_table(run_async(rows), ["id", "名称/name", "运营机构/organization", "已发放/issued"])

    @time_bank.command("expire")
    @district_option
    def expire_command(code: str) -> None:
        """到期时间收回银行（每账户每月一次）/ Send expired hours back to each bank (once per account and month)."""
        from plugins.time_bank import accounts, banks  # noqa: PLC0415

        async def run(session: AsyncSession) -> int:
            await _district(session, code)
            return sum([await accounts.expire_unused(session, b, by=None) for b in await banks.list_banks(session)])

        click.echo(f"到期收回转账 / expiry transfers: {run_async(run)}")

    @time_bank.command("incentives")
    @district_option
    def incentives_command(code: str) -> None:
        """发放达到激励规则的奖励（每规则每期一次）/ Award incentive rules met (once per rule and period)."""
        from plugins.time_bank import accounts, banks  # noqa: PLC0415
        from plugins.time_bank.models import Member, MemberStatus  # noqa: PLC0415

        async def run(session: AsyncSession) -> int:
            await _district(session, code)
            total = 0
            for bank in await banks.list_banks(session):
                query = select(Member.user_id).where(Member.bank_id == bank.id, Member.status == MemberStatus.APPROVED)
                for user_id in list((await session.execute(query)).scalars()):
                    total += await accounts.apply_incentives(session, bank, user_id, datetime.now(UTC), by=None)
            return total

        click.echo(f"新发放 / awarded: {run_async(run)}")
