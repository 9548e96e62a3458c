"""``sanshe ledger verify``: check every invariant of the ledger; ``sanshe ledger balance``: show accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from core.cli.common import echo_table, get_district, run_async

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("register",)


def register(cli: click.Group) -> None:
    """Add ``ledger`` to ``cli``."""

    @cli.group("ledger")
    def ledger() -> None:
        """账本 / the double-entry ledger (time bank hours, money in fen)."""

    @ledger.command("verify")
    @click.option("--district", "code", default=None, help="只检查这个区 / only this district (code)")
    def verify_cmd(code: str | None) -> None:
        """核验账本的每条不变式 / check every ledger invariant; one line per break, exit 1 on any."""
        from sqlalchemy import func, select  # noqa: PLC0415

        from core.ledger import verify  # noqa: PLC0415
        from core.models.ledger import LedgerAccount, LedgerPosting  # noqa: PLC0415

        async def run(session: AsyncSession) -> tuple[int, int, list[str]]:
            district_id = (await get_district(session, code)).id if code else None
            counts = []
            for model in (LedgerAccount, LedgerPosting):
                query = select(func.count(model.id))
                if district_id is not None:
                    query = query.where(model.district_id == district_id)
                counts.append(int((await session.execute(query)).scalar_one()))
            return counts[0], counts[1], await verify(session, district_id=district_id)

        accounts, postings, problems = run_async(run)
        for problem in problems:
            click.echo(f"断裂 / BREAK  {problem}")
        click.echo(
            f"已核验 {accounts} 个账户、{postings} 条分录，发现 {len(problems)} 处问题 / "
            f"checked {accounts} accounts and {postings} postings, {len(problems)} breaks"
        )
        if problems:
            raise SystemExit(1)

    @ledger.command("accounts")
    @click.option("--district", "code", required=True, help="区代码 / district code")
    @click.option("--owner", default=None, help="只显示这个所有者 / only this owner_ref")
    def accounts_cmd(code: str, owner: str | None) -> None:
        """列出账户及余额 / list the district's accounts with their balances."""
        from sqlalchemy import select  # noqa: PLC0415

        from core.ledger import format_amount  # noqa: PLC0415
        from core.models.ledger import LedgerAccount  # noqa: PLC0415

        async def run(session: AsyncSession) -> list[LedgerAccount]:
            district = await get_district(session, code)
            query = select(LedgerAccount).where(LedgerAccount.district_id == district.id).order_by(LedgerAccount.id)
            if owner:
                query = query.where(LedgerAccount.owner_ref == owner)
            return list((await session.execute(query)).scalars())

        rows = [
            [
                a.id,
                a.owner_ref,
                a.name,
                a.unit,
                format_amount(a.balance, a.unit),
                "—" if a.min_balance is None else format_amount(a.min_balance, a.unit),
                "—" if a.max_balance is None else format_amount(a.max_balance, a.unit),
                "已关闭 closed" if a.closed_at else "",
            ]
            for a in run_async(run)
        ]
        echo_table(rows, ["id", "owner", "名称 name", "unit", "余额 balance", "下限 min", "上限 max", ""])
