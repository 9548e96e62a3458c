"""``sanshe audit verify``: the timelines' hash chains; ``sanshe audit reads``: the read log of protected cases."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from core.cli.common import get_district, run_async

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("register",)


def register(cli: click.Group) -> None:
    """Add ``audit`` to ``cli``."""

    @cli.group("audit")
    def audit() -> None:
        """审计 / audit the append-only records."""

    @audit.command("verify")
    @click.option("--district", "code", default=None, help="只检查这个区 / only this district (code)")
    def verify(code: str | None) -> None:
        """核验案件时间线的哈希链 / verify every case timeline's hash chain; exit 1 on any break."""
        from sqlalchemy import func, select  # noqa: PLC0415

        from core.cases.timeline import iter_breaks  # noqa: PLC0415
        from core.models.cases import Case  # noqa: PLC0415

        async def run(session: AsyncSession) -> tuple[int, list[tuple[int, str, int, str]]]:
            district_id = (await get_district(session, code)).id if code else None
            count_query = select(func.count(Case.id))
            if district_id is not None:
                count_query = count_query.where(Case.district_id == district_id)
            checked = int((await session.execute(count_query)).scalar_one())
            breaks = []
            async for found in iter_breaks(session, district_id):
                reference = (await session.execute(select(Case.reference).where(Case.id == found.case_id))).scalar_one()
                breaks.append((found.case_id, reference, found.seq, found.reason))
            return checked, breaks

        checked, breaks = run_async(run)
        for _case_id, reference, seq, reason in breaks:
            click.echo(f"断裂 / BREAK  {reference}  event #{seq}: {reason}")
        click.echo(
            f"已核验 {checked} 个案件，发现 {len(breaks)} 处断裂 / checked {checked} cases, {len(breaks)} breaks"
        )
        if breaks:
            raise SystemExit(1)

    @audit.command("reads")
    @click.option("--district", "code", required=True, help="区代码 / district code")
    @click.option("--case", "reference", default="", help="只看这个个案 / only this case (reference)")
    @click.option("--limit", default=100, type=click.IntRange(1, 10000), help="最多几条 / at most this many rows")
    def reads(code: str, reference: str, limit: int) -> None:
        """受保护个案的查阅记录 / who read which protected case (casework), when and how; newest first."""
        from sqlalchemy import select  # noqa: PLC0415

        from core.models import User  # noqa: PLC0415
        from core.models.cases import Case, CaseRead  # noqa: PLC0415

        async def run(session: AsyncSession) -> list[tuple[object, ...]]:
            district = await get_district(session, code)
            query = (
                select(CaseRead.at, User.username, Case.reference, CaseRead.via)
                .join(Case, Case.id == CaseRead.case_id)
                .outerjoin(User, User.id == CaseRead.user_id)
                .where(CaseRead.district_id == district.id)
                .order_by(CaseRead.id.desc())
                .limit(limit)
            )
            if reference:
                query = query.where(Case.reference == reference.strip())
            return [tuple(row) for row in await session.execute(query)]

        rows = run_async(run)
        for at, username, case_reference, via in rows:
            click.echo(f"{at:%Y-%m-%d %H:%M:%S}Z  {username or '—'}  {case_reference}  {via}")
        click.echo(f"共 {len(rows)} 条 / {len(rows)} reads")
