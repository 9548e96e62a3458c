"""``sanshe rating ranking|record-delivery --district CODE``: the ranking table of a period, and staff recording a
service delivery by hand (the same checks as the page and the API: resident by phone, organization, time)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from core.plugin_api import DistrictPlugin, PluginHost, Refusal, for_district
from core.plugin_api.cli import CliError, context_as, echo_table, get_district, run_async
from plugins.rating.manifest import KEY

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
        msg = f"{code} 区未启用星级评价模块 / the rating plugin is not enabled in district {code!r}"
        raise CliError(msg)
    return district


OPTIONS = {
    "organization_id": "--organization",
    "phone": "--phone",
    "resident_id": "--phone",
    "title": "--title",
    "delivered_at": "--when",
    "community": "--community",
    "period": "--period",
}


def _refused(exc: Refusal, what: str) -> CliError:
    """Every option's reason (Chinese first) after the refusal's message."""
    lines = "; ".join(f"{OPTIONS.get(k, k)}: {v}" for k, v in exc.errors.items())
    return CliError(f"{what} — {exc.message}" + (f" ({lines})" if lines else ""))


def register(cli: click.Group) -> None:
    """Add the ``rating`` command group to ``cli``."""

    @cli.group("rating")
    def rating() -> None:
        """星级评价 / Star rating."""

    district_option = click.option("--district", "code", required=True, help="区代码 / district code, e.g. haishu")

    @rating.command("ranking")
    @district_option
    @click.option("--period", default="", help="期间 / period: 2026Q4 or 2026 (default: this quarter)")
    @click.option("--field", default="", help="服务领域 / service field, e.g. elderly")
    @click.option("--community", default="", help="街道或社区代码 / code of a street or community, e.g. pingqiao")
    def ranking_command(code: str, period: str, field: str, community: str) -> None:
        """打印一期的排名 / Print a period's ranking (Bayesian average, Wilson bound, insufficient ratings)."""
        from plugins.rating import service  # noqa: PLC0415

        async def rows(session: AsyncSession) -> tuple[str, list[list[str]]]:
            district = await _district(session, code)
            try:
                chosen = service.Period.parse(period) if period else service.Period.of(service.local_today())
                place = await service.community_by_code(session, community) if community else None
            except Refusal as exc:
                raise _refused(exc, "无法排名 / no ranking") from exc
            host = PluginHost.load(None, entry_points=False)
            ranked = await service.ranking_in(session, district, host, chosen, field=field or None, community=place)
            title = f"{district.name_zh} · {chosen.label('zh_CN')}" + (f" · {place.name_zh}" if place else "")
            return title, [
                [
                    str(r.rank) if r.rank else "评价数不足/insufficient",
                    r.name,
                    str(r.count),
                    f"{r.mean:.2f}",
                    f"{r.bayesian:.2f}",
                    f"{r.wilson * 100:.0f}%",
                ]
                for r in ranked
            ]

        title, table = run_async(rows)
        click.echo(title)
        if not table:
            click.echo("本期没有评价 / no ratings in this period")
            return
        echo_table(
            table, ["名次/rank", "组织/organization", "评价数/ratings", "平均/mean", "贝叶斯/bayes", "好评下限/wilson"]
        )

    @rating.command("record-delivery")
    @district_option
    @click.option("--as", "username", required=True, help="记录人（工作人员用户名）/ the staff member recording it")
    @click.option("--organization", required=True, help="提供服务的组织（名称或编号）/ the organization (name or id)")
    @click.option(
        "--phone", required=True, help="居民电话（居民信息库）/ the resident's phone in the residents registry"
    )
    @click.option(
        "--resident-name", default="", help="居民姓名（同一电话多人时）/ the resident's name, if several share it"
    )
    @click.option("--title", required=True, help="服务内容 / what the service was")
    @click.option("--when", "delivered_at", required=True, help="服务时间 / when, local time: 2026-12-01T09:30")
    def record_command(code: str, username: str, **fields: str) -> None:
        """手工登记一次服务（已核实，可评价）/ Record (and verify) a service delivery by hand, so it can be rated."""
        from plugins.rating import service  # noqa: PLC0415

        async def record(session: AsyncSession) -> str:
            district = await _district(session, code)
            ctx = await context_as(session, district, username)
            if not ctx.can(KEY, "manage"):
                msg = f"{username} 无权登记服务 / {username} may not record deliveries (rating:manage)"
                raise CliError(msg)
            try:
                delivery = await service.record_delivery_from_form(ctx, fields)
            except Refusal as exc:
                raise _refused(exc, "未登记 / not recorded") from exc
            link = ctx.url(f"/rating/r/{service.token_for(ctx, delivery.id)}")
            return f"已登记 / recorded: {delivery.title} (id {delivery.id})\n评价链接 / rating link: {link}"

        click.echo(run_async(record))
