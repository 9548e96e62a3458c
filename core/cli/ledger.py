"""``sanshe ledger verify`` (every invariant), ``accounts`` (balances) and ``reverse`` (undo a transfer)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

import click

from core.cli.common import CliError, echo_table, get_district, run_async

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

    @ledger.command("reverse")
    @click.option("--district", "code", required=True, help="区代码 / district code")
    @click.option("--reason", required=True, help="冲正原因（记入账本）/ why (kept in the ledger)")
    @click.option("--by", "username", default=None, help="操作人用户名 / the staff member doing it")
    @click.argument("transfer_id", type=int)
    def reverse_cmd(code: str, reason: str, username: str | None, transfer_id: int) -> None:
        """冲正一笔转账 / undo transfer TRANSFER_ID with its mirror image (once; limits apply)."""
        from sqlalchemy import select  # noqa: PLC0415

        from core.ledger import LedgerError, reverse  # noqa: PLC0415
        from core.models import User  # noqa: PLC0415

        if not reason.strip():
            raise CliError("请写明冲正原因 / give the reason for the reversal")

        async def run(session: AsyncSession) -> int:
            district = await get_district(session, code)
            by = None
            if username:
                by = (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()
                if by is None:
                    raise CliError(f"没有用户 {username!r} / no user {username!r}")
            try:
                done = await reverse(
                    session,
                    district_id=district.id,
                    transfer_id=transfer_id,
                    reason=reason.strip(),
                    created_by_id=by.id if by else None,
                    # A fresh key: a second run is refused by the ledger (one reversal per transfer).
                    idempotency_key=f"cli:reverse:{transfer_id}:{secrets.token_hex(8)}",
                )
            except LedgerError as exc:
                raise CliError(exc.message) from exc
            return done.id

        reversal = run_async(run)
        click.echo(f"已冲正转账 #{transfer_id}（冲正转账 #{reversal}）/ transfer #{transfer_id} reversed by #{reversal}")  # noqa: E501
