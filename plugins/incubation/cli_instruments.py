"""``sanshe incubation instruments list|show|export --district CODE``: the capacity-assessment instrument's versions
from the command line — every version with its size and use, one version's dimensions and indicators with their full
scores, and a version as JSON (the API's shape) or CSV (one row per indicator) for a spreadsheet or another centre.
Read-only (except that version 1 is made on first use, as on the page and the API). Messages Chinese first; an unknown
version or district exits with status 2."""

from __future__ import annotations

import csv
import io
import json
from typing import TYPE_CHECKING, Any

import click
from sqlalchemy import func, select

from core.plugin_api.cli import CliError, echo_table, run_async
from plugins.incubation import assessments, instruments
from plugins.incubation.models import Assessment, Instrument

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("register_instruments", "version_json")

INT32 = 2**31 - 1
CSV_HEADER = [
    "version",
    "dimension_key",
    "dimension_zh",
    "dimension_en",
    "indicator_key",
    "indicator_zh",
    "indicator_en",
    "max",
]


def version_json(row: Instrument, used: int) -> dict[str, Any]:
    """A version as the API answers it (``GET …/instrument/versions/{n}``), with the assessments made on it."""
    return {
        "version": row.version,
        "name": row.name,
        "published_at": row.created_at.isoformat() if row.created_at else None,
        "assessments": used,
        "dimensions": instruments.as_json(instruments.dimensions_of(row)),
    }


async def _versions(session: AsyncSession) -> list[tuple[Instrument, int]]:
    await assessments.current_instrument(session)
    used = (
        select(Assessment.instrument_id, func.count(Assessment.id).label("n"))
        .group_by(Assessment.instrument_id)
        .subquery()
    )
    query = (
        select(Instrument, func.coalesce(used.c.n, 0))
        .outerjoin(used, used.c.instrument_id == Instrument.id)
        .order_by(Instrument.version.desc())
    )
    return [(row, int(n)) for row, n in (await session.execute(query)).tuples()]


async def _one(session: AsyncSession, version: int | None) -> tuple[Instrument, int]:
    rows = await _versions(session)
    if version is None:
        return rows[0]
    for row, used in rows:
        if row.version == version:
            return row, used
    known = ", ".join(str(r.version) for r, _n in reversed(rows))
    raise CliError(f"没有第 {version} 版评估工具 / no instrument version {version} (known: {known})")


def register_instruments(group: click.Group, district: Callable[[AsyncSession, str], Awaitable[District]]) -> None:
    """Add ``instruments list|show|export`` under the ``incubation`` group; ``district`` checks the code."""

    @group.group("instruments")
    def instruments_group() -> None:
        """能力评估工具的版本 / The capacity-assessment instrument's versions."""

    district_option = click.option("--district", "code", required=True, help="区代码 / district code, e.g. haishu")
    version_option = click.option(
        "--version",
        "version",
        type=click.IntRange(1, INT32),
        default=None,
        help="版本号（默认最新）/ version number (default: the latest)",
    )

    @instruments_group.command("list")
    @district_option
    def list_command(code: str) -> None:
        """列出各版本：名称、发布时间、维度与指标数、已做评估数 / Every version: name, published, size, assessments."""

        async def rows(session: AsyncSession) -> list[list[str]]:
            await district(session, code)
            out = []
            for row, used in await _versions(session):
                dims = instruments.dimensions_of(row)
                out.append(
                    [
                        str(row.version),
                        row.name,
                        row.created_at.date().isoformat() if row.created_at else "",
                        str(len(dims)),
                        str(sum(len(d.indicators) for d in dims)),
                        str(used),
                    ]
                )
            return out

        headers = ["版本/version", "名称/name", "发布/published", "维度/dimensions", "指标/indicators"]
        echo_table(run_async(rows), [*headers, "评估/assessments"])

    @instruments_group.command("show")
    @district_option
    @version_option
    def show_command(code: str, version: int | None) -> None:
        """显示一个版本的维度、指标与满分 / One version's dimensions, indicators and full scores."""

        async def one(session: AsyncSession) -> tuple[Instrument, int]:
            await district(session, code)
            return await _one(session, version)

        row, used = run_async(one)
        published = row.created_at.date().isoformat() if row.created_at else "—"
        click.echo(
            f"第 {row.version} 版 / version {row.version}: {row.name} · {published} · {used} 次评估 / assessments"
        )
        table = []
        for dim in instruments.dimensions_of(row):
            name = f"{dim.zh}/{dim.en}" if dim.en else dim.zh
            if not dim.indicators:
                table.append([name, "—", "5"])
            for indicator in dim.indicators:
                label = f"{indicator.zh}/{indicator.en}" if indicator.en else indicator.zh
                table.append([name, label, str(indicator.max) if indicator.max else "（整体 0–5 / whole 0–5）"])
        echo_table(table, ["维度/dimension", "指标/indicator", "满分/full score"])

    @instruments_group.command("export")
    @district_option
    @version_option
    @click.option(
        "--format",
        "fmt",
        type=click.Choice(["json", "csv"]),
        default="json",
        help="json（与 API 相同）或 csv（每个指标一行）/ json (the API's shape) or csv (a row per indicator)",
    )
    @click.option(
        "--output",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help="写入该文件（默认输出到屏幕）/ write to this file (default: standard output)",
    )
    def export_command(code: str, version: int | None, fmt: str, output: str | None) -> None:
        """导出一个版本（JSON 或 CSV）/ Export one version as JSON or CSV."""

        async def one(session: AsyncSession) -> tuple[Instrument, int]:
            await district(session, code)
            return await _one(session, version)

        row, used = run_async(one)
        if fmt == "json":
            text = json.dumps(version_json(row, used), ensure_ascii=False, indent=2) + "\n"
        else:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            writer.writerow(CSV_HEADER)
            for dim in instruments.dimensions_of(row):
                for indicator in dim.indicators or (None,):
                    writer.writerow(
                        [
                            row.version,
                            dim.key,
                            dim.zh,
                            dim.en,
                            indicator.key if indicator else "",
                            indicator.zh if indicator else "",
                            indicator.en if indicator else "",
                            (indicator.max or "") if indicator else "",
                        ]
                    )
            text = buffer.getvalue()
        if output:
            with click.open_file(output, "w", encoding="utf-8") as handle:
                handle.write(text)
            click.echo(f"已写入 / written: {output}")
        else:
            click.echo(text, nl=False)
