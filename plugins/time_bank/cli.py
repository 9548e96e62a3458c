"""``sanshe time-bank banks|create-bank|members|expire|incentives --district CODE``: what a cron job or an
operator runs. ``create-bank`` goes through the same checks as the page and the API."""

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


def register(cli: click.Group) -> None:  # noqa: PLR0915 - one command group, its commands inside
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

    @time_bank.command("create-bank")
    @district_option
    @click.option("--name", required=True, help="银行名称 / the bank's name")
    @click.option("--organization", required=True, help="运营的社会组织 / the social organization that runs it")
    @click.option(
        "--unit", "unit_code", default="", help="服务的街道或社区代码 / code of the street or community served"
    )
    @click.option("--description", default="", help="简介 / description")
    @click.option(
        "--category",
        "categories",
        multiple=True,
        default=("chat", "visit", "meals"),
        show_default=True,
        help="计入的服务类别（可多次）/ a category (repeat): chat, visit, meals, shopping, patrol, haircut, escort",
    )
    @click.option("--max-balance", default="", help="余额上限（小时）/ maximum balance in hours")
    @click.option("--yearly-cap", default="", help="每人每年可获时长（小时）/ hours earned per member and year")
    @click.option("--expiry-months", default="", help="未用时长过期月数 / unused hours expire after N months")
    @click.option("--gift-yearly-max", default="", help="每人每年可转赠时长（小时）/ hours given per member and year")
    def create_bank_command(code: str, unit_code: str, categories: tuple[str, ...], **fields: str) -> None:
        """新建时间银行 / Create a time bank (the same checks as the page and the API)."""
        from core.plugin_api import OrgUnit, Refusal  # noqa: PLC0415
        from plugins.time_bank import bank_settings  # noqa: PLC0415

        async def create(session: AsyncSession) -> str:
            district = await _district(session, code)
            form: dict[str, object] = {**fields, "categories": list(categories), "org_unit_id": ""}
            if unit_code:
                unit = (await session.execute(select(OrgUnit).where(OrgUnit.code == unit_code))).scalar_one_or_none()
                if unit is None:
                    raise CliError(f"没有代码为 {unit_code!r} 的街道或社区 / no street or community {unit_code!r}")
                form["org_unit_id"] = str(unit.id)
            draft = await bank_settings.check_bank(session, form)
            try:
                bank = await bank_settings.create(session, district.id, draft)
            except Refusal as exc:
                lines = "; ".join(f"{k}: {v}" for k, v in exc.errors.items()) or exc.text("zh_CN")
                raise CliError(f"未创建 / not created — {lines}") from exc
            return f"已创建 / created: {bank.name} (id {bank.id})"

        click.echo(run_async(create))

    @time_bank.command("members")
    @district_option
    @click.option("--bank", "bank_id", type=int, required=True, help="银行编号（见 banks）/ the bank's id (see banks)")
    @click.option(
        "--status",
        type=click.Choice(["applied", "approved", "rejected", "left"]),
        default="approved",
        show_default=True,
        help="成员状态 / membership status (applied: waiting for approval)",
    )
    def members_command(code: str, bank_id: int, status: str) -> None:
        """列出银行成员及余额 / List a bank's members (or applications) with their balances."""
        from core.plugin_api import NotFound  # noqa: PLC0415
        from plugins.time_bank import banks  # noqa: PLC0415

        roles = {"volunteer": "志愿者/volunteer", "resident": "居民/resident", "staff": "工作人员/staff"}

        async def rows(session: AsyncSession) -> list[list[str]]:
            await _district(session, code)
            try:
                bank = await banks.bank_or_404(session, bank_id)
            except NotFound as exc:
                raise CliError(f"本区没有编号为 {bank_id} 的时间银行 / no time bank {bank_id} in {code}") from exc
            out = []
            for member, name, balance in await banks.members_with_balances(session, bank, status):
                kinds = [
                    roles[k]
                    for k, on in (
                        ("volunteer", member.is_volunteer),
                        ("resident", member.is_resident),
                        ("staff", member.is_staff),
                    )
                    if on
                ]
                out.append([str(member.id), name, "、".join(kinds), "—" if balance is None else banks.fmt(balance)])
            return out

        echo_table(run_async(rows), ["id", "姓名/name", "身份/role", "余额/balance"])

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
