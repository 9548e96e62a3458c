"""``sanshe rating ranking|ratings|grades|export|record-delivery --district CODE``: the ranking table of a period,
its ratings, the grades (1A–5A), the period's XLSX workbook, and staff recording a service delivery by hand (the
same checks as the page and the API: resident by phone, organization, time)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy import select

from core.plugin_api import TIMEZONE, DistrictPlugin, PluginHost, Refusal, for_district, organizations
from core.plugin_api.cli import CliError, context_as, echo_table, get_district, run_async
from plugins.rating.manifest import KEY

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District
    from plugins.rating.service import Period

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


def _period_of(text: str) -> Period:
    """The period named ``text`` (this quarter when empty); a bad one exits 2 with the reason."""
    from plugins.rating import service  # noqa: PLC0415

    try:
        return service.Period.parse(text) if text else service.Period.of(service.local_today())
    except Refusal as exc:
        raise _refused(exc, "期次无效 / bad period") from exc


CHANNELS_ZH = {"link": "链接", "own_page": "本人页面", "paper": "纸质", "phone_survey": "电话回访"}
GRADE_STATUS_ZH = {"publicity": "公示中/publicity", "confirmed": "已确认/confirmed", "withdrawn": "已撤回/withdrawn"}


def _refused(exc: Refusal, what: str) -> CliError:
    """Every option's reason (Chinese first) after the refusal's message."""
    lines = "; ".join(f"{OPTIONS.get(k, k)}: {v}" for k, v in exc.errors.items())
    return CliError(f"{what} — {exc.message}" + (f" ({lines})" if lines else ""))


def register(cli: click.Group) -> None:  # noqa: PLR0915  (one group, each command a closure)
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

    @rating.command("ratings")
    @district_option
    @click.option("--period", default="", help="期间 / period: 2026Q4 or 2026 (default: this quarter)")
    @click.option("--organization", "organization", default="", help="只看一个组织（名称或编号）/ one organization")
    def ratings_command(code: str, period: str, organization: str) -> None:
        """打印一期的评价（作废的标出）/ Print a period's ratings (voided ones marked)."""
        from plugins.rating.models import Rating  # noqa: PLC0415

        chosen = _period_of(period)

        async def rows(session: AsyncSession) -> list[list[str]]:
            await _district(session, code)
            start, end = chosen.bounds()
            org = organizations.Organization
            query = (
                select(Rating, org.name)
                .join(org, org.id == Rating.organization_id)
                .where(Rating.submitted_at >= start, Rating.submitted_at < end)
                .order_by(Rating.submitted_at, Rating.id)
            )
            if organization:
                named = org.name == organization
                query = query.where(named | (org.id == int(organization)) if organization.isdigit() else named)
            return [
                [
                    r.submitted_at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M"),
                    name,
                    "★" * r.stars,
                    CHANNELS_ZH.get(r.channel, r.channel),
                    "作废/voided" if r.status == "voided" else "有效/valid",
                    (r.comment[:30] + "…") if len(r.comment) > 30 else r.comment,
                ]
                for r, name in (await session.execute(query)).tuples()
            ]

        table = run_async(rows)
        if not table:
            click.echo("本期没有评价 / no ratings in this period")
            return
        echo_table(
            table, ["时间/when", "组织/organization", "星级/stars", "渠道/channel", "状态/status", "评语/comment"]
        )

    @rating.command("grades")
    @district_option
    def grades_command(code: str) -> None:
        """打印等级评估结果（1A–5A）/ Print the grade evaluation results (1A–5A): points, status, validity."""
        from plugins.rating import service  # noqa: PLC0415

        async def rows(session: AsyncSession) -> list[list[str]]:
            await _district(session, code)
            found = await service.grades(session)
            org = organizations.Organization
            ids = {g.organization_id for g in found} or {0}
            names = dict(list((await session.execute(select(org.id, org.name).where(org.id.in_(ids)))).tuples()))
            return [
                [
                    str(g.year),
                    names.get(g.organization_id, ""),
                    g.grade,
                    str(g.total),
                    GRADE_STATUS_ZH.get(g.status, g.status),
                    f"{g.valid_from} – {g.valid_until}" if g.valid_from else f"公示至/until {g.publicity_until}",
                ]
                for g in found
            ]

        table = run_async(rows)
        if not table:
            click.echo("还没有等级评估结果 / no grade results yet")
            return
        echo_table(
            table, ["年度/year", "组织/organization", "等级/grade", "得分/points", "状态/status", "有效期/valid"]
        )

    @rating.command("export")
    @district_option
    @click.option("--period", default="", help="期间 / period: 2026Q4 or 2026 (default: this quarter)")
    @click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="文件 / file")
    def export_command(code: str, period: str, out: Path) -> None:
        """把一期的排名和评价写入 XLSX / Write a period's ranking and ratings to an XLSX workbook."""
        from plugins.rating import exports  # noqa: PLC0415

        chosen = _period_of(period)

        async def build(session: AsyncSession) -> bytes:
            district = await _district(session, code)
            return await exports.period_workbook(session, district, PluginHost.load(None, entry_points=False), chosen)

        body = run_async(build)
        out.write_bytes(body)
        click.echo(f"已写入 / written: {out} ({len(body):,} bytes)")

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
