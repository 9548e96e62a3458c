"""Checking every invariant of the ledger; each break is one line of text (Chinese / English)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from core.models.ledger import LedgerAccount, LedgerPosting, LedgerTransfer

if TYPE_CHECKING:
    from sqlalchemy import Select
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("verify",)

P, A, T = LedgerPosting, LedgerAccount, LedgerTransfer


async def _rows(session: AsyncSession, query: Select[Any]) -> list[Any]:
    return list((await session.execute(query)).all())


async def verify(session: AsyncSession, *, district_id: int | None = None) -> list[str]:
    """Every break of the ledger's invariants (an empty list: the ledger is sound).

    Checked: postings sum to zero per district and unit; every cached balance equals the
    sum of its account's postings; every transfer has two or more non-zero postings in one
    unit that sum to zero, in its own district, effective when the transfer is; every
    reversal mirrors the transfer it reverses, which is not itself a reversal.
    """

    def scoped(query: Select[Any], model: Any) -> Select[Any]:
        return query if district_id is None else query.where(model.district_id == district_id)

    problems: list[str] = []
    total = func.sum(P.amount)
    query: Select[Any] = (
        select(P.district_id, A.unit, total).join(A, A.id == P.account_id).group_by(P.district_id, A.unit)
    )
    for district, unit, amount in await _rows(session, scoped(query.having(total != 0), P)):
        problems.append(
            f"区 {district} 的 {unit} 过账合计为 {amount}，应为 0 / "
            f"district {district}: postings in {unit} sum to {amount}, not to zero"
        )

    sums = select(P.account_id, func.sum(P.amount).label("total")).group_by(P.account_id).subquery()
    posted = func.coalesce(sums.c.total, 0)
    query = (
        select(A.id, A.name, A.balance, posted).outerjoin(sums, sums.c.account_id == A.id).where(A.balance != posted)
    )
    for account_id, name, balance, amount in await _rows(session, scoped(query.order_by(A.id), A)):
        problems.append(
            f"账户 #{account_id}「{name}」缓存余额 {balance} ≠ 过账合计 {amount} / "
            f"account #{account_id}: cached balance {balance} != sum of postings {amount}"
        )

    count, units = func.count(P.id), func.count(func.distinct(A.unit))
    query = (
        select(T.id, count, func.coalesce(func.sum(P.amount), 0), units)
        .outerjoin(P, P.transfer_id == T.id)
        .outerjoin(A, A.id == P.account_id)
        .group_by(T.id)
        .having(or_(count < 2, func.coalesce(func.sum(P.amount), 0) != 0, units > 1))
    )
    for transfer_id, legs, amount, n_units in await _rows(session, scoped(query.order_by(T.id), T)):
        problems.append(
            f"转账 #{transfer_id} 不平衡：{legs} 个分录，合计 {amount}，{n_units} 种单位 / "
            f"transfer #{transfer_id} is broken: {legs} postings summing to {amount} in {n_units} units"
        )

    mismatch = or_(P.amount == 0, P.district_id != T.district_id, P.district_id != A.district_id)
    query = (
        select(P.id, P.transfer_id, P.amount, P.district_id, T.district_id, A.district_id)
        .join(T, T.id == P.transfer_id)
        .join(A, A.id == P.account_id)
        .where(or_(mismatch, P.effective_at != T.effective_at))
    )
    for posting_id, transfer_id, amount, pd, td, ad in await _rows(session, scoped(query.order_by(P.id), P)):
        problems.append(
            f"分录 #{posting_id}（转账 #{transfer_id}）有误：金额 {amount}，区 {pd}/{td}/{ad} 或生效时间不一致 / "
            f"posting #{posting_id} of transfer #{transfer_id}: zero amount, district or effective date "
            "differs from its transfer or account"
        )

    original = aliased(T)
    query = (
        select(T.id, original.id, original.reverses_id, original.district_id, T.district_id)
        .join(original, original.id == T.reverses_id)
        .where(or_(original.reverses_id.is_not(None), original.district_id != T.district_id))
    )
    for reversal_id, original_id, *_ in await _rows(session, scoped(query.order_by(T.id), T)):
        problems.append(
            f"冲正 #{reversal_id} 指向的转账 #{original_id} 本身是冲正或属于另一区 / "
            f"reversal #{reversal_id} reverses #{original_id}, which is a reversal or of another district"
        )
    pair = or_(P.transfer_id == T.id, P.transfer_id == T.reverses_id)
    query = (
        select(T.id, T.reverses_id, P.account_id, func.sum(P.amount))
        .join(P, and_(T.reverses_id.is_not(None), pair))
        .group_by(T.id, T.reverses_id, P.account_id)
        .having(func.sum(P.amount) != 0)
    )
    for reversal_id, original_id, account_id, amount in await _rows(session, scoped(query.order_by(T.id), T)):
        problems.append(
            f"冲正 #{reversal_id} 与转账 #{original_id} 在账户 #{account_id} 上不对冲（差 {amount}） / "
            f"reversal #{reversal_id} does not mirror #{original_id} on account #{account_id} (off by {amount})"
        )
    return problems
