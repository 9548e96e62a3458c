"""``sanshe grants calls|ranking|remind|export --district CODE``: the district's calls, a call's ranking, the
review reminders run at once, and the scores or award list written to a file (the same rules as the pages)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from sqlalchemy import case, func, select

from core.plugin_api import TIMEZONE, DistrictPlugin, Refusal, for_district, utcnow
from core.plugin_api.cli import CliError, context_as, echo_table, get_district, run_async
from plugins.grants.manifest import KEY

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District, RequestContext
    from plugins.grants.models import Call

__all__ = ("register",)

PHASES = {"upcoming": "未开始/upcoming", "open": "征集中/open", "closed": "已截止/closed"}


async def _district(session: AsyncSession, code: str) -> District:
    district = await get_district(session, code)
    for_district(session, district.id)
    enabled = (
        await session.execute(select(DistrictPlugin.enabled).where(DistrictPlugin.plugin_key == KEY))
    ).scalar_one_or_none()
    if not enabled:
        msg = f"{code} 区未启用公益创投模块 / the grants plugin is not enabled in district {code!r}"
        raise CliError(msg)
    return district


async def _staff(session: AsyncSession, district: District, username: str) -> RequestContext:
    ctx = await context_as(session, district, username)
    if not ctx.can(KEY, "manage"):
        msg = f"{username} 无权管理公益创投 / {username} may not manage venture philanthropy (grants:manage)"
        raise CliError(msg)
    return ctx


async def _call(session: AsyncSession, call_id: int) -> Call:
    from plugins.grants.service import get_call  # noqa: PLC0415

    call = await get_call(session, call_id)
    if call is None:
        msg = f"本区没有编号为 {call_id} 的征集 / no call {call_id} in this district (see: sanshe grants calls)"
        raise CliError(msg)
    return call


def _yuan(fen: int) -> str:
    return f"{fen // 100:,}.{fen % 100:02d}"


async def _call_rows(session: AsyncSession) -> list[list[str]]:
    """One line per call: id, title, phase, closing day, budget, applications submitted, projects funded."""
    from plugins.grants.models import Application  # noqa: PLC0415
    from plugins.grants.service import call_phase, list_calls  # noqa: PLC0415

    counted = await session.execute(
        select(
            Application.call_id,
            func.count(Application.submitted_at),
            func.sum(case((Application.decision == "approved", 1), else_=0)),
        ).group_by(Application.call_id)
    )
    counts: dict[int, tuple[int, int]] = {row[0]: (int(row[1]), int(row[2] or 0)) for row in counted.all()}
    return [
        [
            str(c.id),
            c.title,
            "已公布结果/decided" if c.decided_at else PHASES[call_phase(c)],
            c.closes_at.astimezone(TIMEZONE).date().isoformat(),
            _yuan(c.budget_fen),
            *(str(n) for n in counts.get(c.id, (0, 0))),
        ]
        for c in await list_calls(session)
    ]


def register(cli: click.Group) -> None:
    """Add the ``grants`` command group to ``cli``."""

    @cli.group("grants")
    def grants() -> None:
        """公益创投 / Venture philanthropy."""

    district_option = click.option("--district", "code", required=True, help="区代码 / district code, e.g. haishu")
    call_option = click.option("--call", "call_id", type=int, required=True, help="征集编号 / the call's id")
    as_option = click.option(
        "--as", "username", required=True, help="以谁的身份（须有管理权限）/ act as this staff member"
    )

    @grants.command("calls")
    @district_option
    def calls_command(code: str) -> None:
        """列出本区的征集 / List the district's calls: dates, budget, applications, awards."""

        async def rows(session: AsyncSession) -> list[list[str]]:
            await _district(session, code)
            return await _call_rows(session)

        table = run_async(rows)
        if not table:
            click.echo("本区还没有征集 / no calls in this district")
            return
        echo_table(
            table,
            ["编号/id", "征集/call", "状态/phase", "截止/closes", "预算（元）/budget", "申报/applied", "资助/funded"],
        )

    @grants.command("ranking")
    @district_option
    @call_option
    @as_option
    def ranking_command(code: str, call_id: int, username: str) -> None:
        """打印一个征集的排名 / Print a call's ranking (the normalised and the raw weighted score)."""
        from core.plugin_api import organizations  # noqa: PLC0415
        from plugins.grants.reviews import ranking  # noqa: PLC0415

        async def rows(session: AsyncSession) -> tuple[str, list[list[str]]]:
            district = await _district(session, code)
            ctx = await _staff(session, district, username)
            call = await _call(session, call_id)
            table = []
            for row in await ranking(ctx, call):
                org = await organizations.get_organization(session, district, row.application.organization_id)
                table.append(
                    [
                        str(row.rank),
                        row.application.title,
                        org.name,
                        "–" if row.normalised is None else f"{row.normalised:.2f}",
                        "–" if row.raw is None else f"{row.raw:.2f}",
                        str(row.reviews),
                    ]
                )
            by = "校准分/normalised" if call.ranking == "normalised" else "原始加权平均分/raw weighted mean"
            return f"{call.title} · 按{by}排名", table

        title, table = run_async(rows)
        click.echo(title)
        if not table:
            click.echo("还没有通过形式审查的申报 / no application has passed screening yet")
            return
        echo_table(
            table, ["名次/rank", "项目/project", "组织/organization", "校准分/norm", "原始分/raw", "评审数/reviews"]
        )

    @grants.command("remind")
    @district_option
    def remind_command(code: str) -> None:
        """立即发送评审提醒 / Send the review reminders now (the daily job grants.review_reminders)."""
        from plugins.grants.review_reminders import remind_reviewers  # noqa: PLC0415

        async def run(session: AsyncSession) -> str:
            district = await _district(session, code)
            done = await remind_reviewers(session, district, utcnow())
            calls = "、".join(done.calls) or "—"
            return (
                f"已提醒 {done.soon} 位评审人即将截止、{done.overdue} 位已逾期（征集：{calls}）\n"
                f"reminded {done.soon} reviewers of reviews due soon and {done.overdue} of overdue ones"
            )

        click.echo(run_async(run))

    @grants.command("export")
    @click.argument("what", type=click.Choice(["scores", "awards"]))
    @district_option
    @call_option
    @as_option
    @click.option(
        "--format", "fmt", type=click.Choice(["xlsx", "pdf"]), default="xlsx", help="xlsx，或 pdf（立项公示）/ or pdf"
    )
    @click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="文件 / file")
    def export_command(what: str, code: str, call_id: int, username: str, fmt: str, out: Path) -> None:
        """导出评分明细或立项名单 / Write a call's scores (XLSX) or award list (XLSX, or the PDF notice) to a file."""
        from plugins.grants.exports import scores_xlsx  # noqa: PLC0415
        from plugins.grants.exports_awards import awards_pdf, awards_xlsx  # noqa: PLC0415

        if what == "scores" and fmt == "pdf":
            msg = "评分明细只有 XLSX 格式 / the scores are exported as XLSX only"
            raise CliError(msg)

        async def build(session: AsyncSession) -> bytes:
            district = await _district(session, code)
            ctx = await _staff(session, district, username)
            call = await _call(session, call_id)
            try:
                if what == "scores":
                    return await scores_xlsx(ctx, call)
                return await (awards_pdf(ctx, call) if fmt == "pdf" else awards_xlsx(ctx, call))
            except Refusal as exc:
                raise CliError(exc.message) from exc

        body = run_async(build)
        out.write_bytes(body)
        click.echo(f"已写入 / written: {out} ({len(body):,} bytes)")
