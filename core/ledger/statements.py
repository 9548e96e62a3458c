"""Account statements: opening balance, the period's postings in effective order, closing balance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.ledger.errors import InvalidRequest, UnknownAccount
from core.models.ledger import LedgerAccount, LedgerPosting, LedgerTransfer

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("Statement", "StatementLine", "statement")


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One posting on the statement, with the running balance after it."""

    posting_id: int
    transfer_id: int
    effective_at: datetime
    created_at: datetime
    amount: int
    balance: int
    reason: str
    category: str
    link: str
    reverses_id: int | None
    created_by_id: int | None


@dataclass(frozen=True, slots=True)
class Statement:
    """The postings of ``account`` effective in ``[start, end)``; ``opening + Σ amounts == closing``."""

    account: LedgerAccount
    start: datetime
    end: datetime
    opening: int
    lines: list[StatementLine]
    closing: int

    @property
    def credits(self) -> int:
        """The sum of the period's positive postings."""
        return sum(line.amount for line in self.lines if line.amount > 0)

    @property
    def debits(self) -> int:
        """The sum of the period's negative postings (a negative number)."""
        return sum(line.amount for line in self.lines if line.amount < 0)


async def statement(
    session: AsyncSession, *, account_id: int, start: datetime, end: datetime, district_id: int | None = None
) -> Statement:
    """The statement of an account for the half-open period ``[start, end)`` by effective date.

    Consecutive periods chain (one's closing is the next one's opening). Back-dated
    postings land in the period they are effective in, so a statement printed before a
    back-dated entry differs from one printed after it; both add up.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise InvalidRequest("起止时间必须带时区", "start and end must be timezone-aware")
    if end < start:
        raise InvalidRequest("结束时间早于开始时间", "the end is before the start")
    query = select(LedgerAccount).where(LedgerAccount.id == account_id)
    if district_id is not None:
        query = query.where(LedgerAccount.district_id == district_id)
    account = (await session.execute(query)).scalar_one_or_none()
    if account is None:
        raise UnknownAccount(f"账户 #{account_id} 不存在", f"account #{account_id} does not exist")
    opening_query = select(func.coalesce(func.sum(LedgerPosting.amount), 0)).where(
        LedgerPosting.account_id == account_id, LedgerPosting.effective_at < start
    )
    opening = int((await session.execute(opening_query)).scalar_one())
    lines_query = (
        select(
            LedgerPosting.id,
            LedgerPosting.transfer_id,
            LedgerPosting.effective_at,
            LedgerTransfer.created_at,
            LedgerPosting.amount,
            LedgerTransfer.reason,
            LedgerTransfer.category,
            LedgerTransfer.link,
            LedgerTransfer.reverses_id,
            LedgerTransfer.created_by_id,
        )
        .join(LedgerTransfer, LedgerTransfer.id == LedgerPosting.transfer_id)
        .where(
            LedgerPosting.account_id == account_id,
            LedgerPosting.effective_at >= start,
            LedgerPosting.effective_at < end,
        )
        .order_by(LedgerPosting.effective_at, LedgerPosting.id)
    )
    lines = []
    running = opening
    for row in (await session.execute(lines_query)).all():
        running += row.amount
        lines.append(
            StatementLine(
                posting_id=row.id,
                transfer_id=row.transfer_id,
                effective_at=row.effective_at,
                created_at=row.created_at,
                amount=row.amount,
                balance=running,
                reason=row.reason,
                category=row.category,
                link=row.link,
                reverses_id=row.reverses_id,
                created_by_id=row.created_by_id,
            )
        )
    return Statement(account=account, start=start, end=end, opening=opening, lines=lines, closing=running)
