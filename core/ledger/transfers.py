"""Posting transfers: validated, locked, limit-checked, exactly once per idempotency key.

Every transfer runs in the caller's transaction: the accounts are locked in ascending
id order (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite a no-op ``UPDATE`` first takes
the database's single write lock, so writers queue and each reads fresh balances), the
idempotency key is looked up under those locks, the limits are checked against the
locked balances, then the transfer, its postings and the new balances are written.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.db.base import utcnow
from core.ledger.accounts import check_district
from core.ledger.errors import (
    AccountClosed,
    AlreadyReversed,
    CannotReverseReversal,
    IdempotencyConflict,
    InvalidRequest,
    LimitExceeded,
    SelfTransfer,
    UnbalancedTransfer,
    UnitMismatch,
    UnknownAccount,
    UnknownTransfer,
    ZeroPosting,
)
from core.models.ledger import LedgerAccount, LedgerPosting, LedgerTransfer

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("lock", "move", "reverse", "transfer", "transfer_legs")

# Back-dating is allowed; dating into the future is not (a little clock skew is tolerated).
FUTURE_TOLERANCE = timedelta(minutes=1)


def _validate(legs: list[tuple[int, int]], reason: str, idempotency_key: str, effective_at: datetime | None) -> None:
    if not idempotency_key or len(idempotency_key) > 200:
        raise InvalidRequest("需要幂等键（最多 200 个字符）", "an idempotency key (up to 200 characters) is required")
    if not reason.strip():
        raise InvalidRequest("转账需要写明原因", "a transfer needs a reason")
    if effective_at is not None:
        if effective_at.tzinfo is None:
            raise InvalidRequest("生效时间必须带时区", "effective_at must be timezone-aware")
        if effective_at > utcnow() + FUTURE_TOLERANCE:
            raise InvalidRequest("生效时间不能在将来", "effective_at can't be in the future")
    if len(legs) < 2:
        raise InvalidRequest("转账至少要有两个分录", "a transfer needs at least two legs")
    for account_id, amount in legs:
        for value in (account_id, amount):
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidRequest(f"分录必须是整数：{value!r}", f"legs are (account id, amount) integers: {value!r}")
        if amount == 0:
            raise ZeroPosting(f"账户 #{account_id} 的分录金额为零", f"the leg on account #{account_id} is zero")
    repeated = sorted(a for a, n in Counter(a for a, _ in legs).items() if n > 1)
    if repeated:
        ids = ", ".join(f"#{a}" for a in repeated)
        raise SelfTransfer(f"同一账户 {ids} 在一笔转账中出现两次（不能转给自己）", f"account {ids} appears twice")
    total = sum(amount for _, amount in legs)
    if total != 0:
        raise UnbalancedTransfer(
            f"借贷不平：分录合计为 {total}，应为 0", f"unbalanced: the legs sum to {total}, not to zero"
        )


async def lock(session: AsyncSession, *, district_id: int, account_ids: list[int]) -> list[LedgerAccount]:
    """Lock accounts (in id order, as transfers do) until the transaction ends; returns them, fresh.

    For a rule that depends on a sum of past postings (a yearly cap, a gift limit): lock the
    account first, then read the sum, then transfer, all in one transaction; a concurrent
    request for the same account waits for the lock and then sees what this one wrote.
    """
    check_district(session, district_id)
    return await _lock_accounts(session, district_id, sorted(set(account_ids)))


async def _lock_accounts(session: AsyncSession, district_id: int, ids: list[int]) -> list[LedgerAccount]:
    if session.get_bind().dialect.name == "sqlite":
        # Take SQLite's write lock now (waits behind other writers), before reading balances.
        await session.execute(
            update(LedgerAccount).where(LedgerAccount.id.in_(ids)).values(balance=LedgerAccount.balance),
            execution_options={"synchronize_session": False},
        )
    query = (
        select(LedgerAccount)
        .where(LedgerAccount.district_id == district_id, LedgerAccount.id.in_(ids))
        .order_by(LedgerAccount.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    accounts = list((await session.execute(query)).scalars())
    missing = sorted(set(ids) - {a.id for a in accounts})
    if missing:
        names = ", ".join(f"#{a}" for a in missing)
        raise UnknownAccount(f"账户 {names} 不存在或不属于本区", f"account {names} does not exist in this district")
    return accounts


async def transfer_legs(session: AsyncSession, transfer_id: int) -> list[tuple[int, int]]:
    """The ``(account_id, amount)`` legs of a transfer, by account id."""
    query = (
        select(LedgerPosting.account_id, LedgerPosting.amount)
        .where(LedgerPosting.transfer_id == transfer_id)
        .order_by(LedgerPosting.account_id)
    )
    return [(a, m) for a, m in (await session.execute(query)).all()]


async def _replay(
    session: AsyncSession, district_id: int, key: str, legs: list[tuple[int, int]], reverses_id: int | None
) -> LedgerTransfer | None:
    query = select(LedgerTransfer).where(
        LedgerTransfer.district_id == district_id, LedgerTransfer.idempotency_key == key
    )
    existing = (await session.execute(query)).scalar_one_or_none()
    if existing is None:
        return None
    if await transfer_legs(session, existing.id) != sorted(legs) or existing.reverses_id != reverses_id:
        raise IdempotencyConflict(
            f"幂等键 {key!r} 已用于另一笔内容不同的转账 #{existing.id}",
            f"idempotency key {key!r} was already used for transfer #{existing.id} with other legs",
        )
    return existing


def _check_accounts(accounts: list[LedgerAccount], deltas: dict[int, int]) -> None:
    units = {a.unit for a in accounts}
    if len(units) > 1:
        raise UnitMismatch(
            f"一笔转账中的账户单位必须相同（{'、'.join(sorted(units))}）",
            f"all accounts of a transfer must have the same unit ({', '.join(sorted(units))})",
        )
    for account in accounts:
        if account.closed_at is not None:
            raise AccountClosed(
                f"账户 #{account.id}「{account.name}」已关闭", f"account #{account.id} ({account.name}) is closed"
            )
        delta = deltas[account.id]
        after = account.balance + delta
        # Only a move towards or past a limit is refused: an account already past a
        # (lowered) limit may still move back towards it.
        if delta < 0 and account.min_balance is not None and after < account.min_balance:
            raise LimitExceeded(account, after, account.min_balance)
        if delta > 0 and account.max_balance is not None and after > account.max_balance:
            raise LimitExceeded(account, after, account.max_balance)


async def _post(
    session: AsyncSession,
    *,
    district_id: int,
    legs: list[tuple[int, int]],
    reason: str,
    category: str,
    link: str,
    idempotency_key: str,
    created_by_id: int | None,
    effective_at: datetime | None,
    reverses: LedgerTransfer | None = None,
) -> LedgerTransfer:
    check_district(session, district_id)
    legs = [(a, m) for a, m in legs]
    _validate(legs, reason, idempotency_key, effective_at)
    deltas = dict(legs)
    accounts = await _lock_accounts(session, district_id, sorted(deltas))
    reverses_id = reverses.id if reverses is not None else None
    existing = await _replay(session, district_id, idempotency_key, legs, reverses_id)
    if existing is not None:
        return existing
    if reverses is not None:
        query = select(LedgerTransfer.id).where(LedgerTransfer.reverses_id == reverses.id)
        if (earlier := (await session.execute(query)).scalar_one_or_none()) is not None:
            raise AlreadyReversed(
                f"转账 #{reverses.id} 已被 #{earlier} 冲正（每笔转账只能冲正一次）",
                f"transfer #{reverses.id} was already reversed by #{earlier}",
            )
    _check_accounts(accounts, deltas)
    now = utcnow()
    when = effective_at or now
    row = LedgerTransfer(
        district_id=district_id,
        reason=reason,
        category=category,
        link=link,
        idempotency_key=idempotency_key,
        created_by_id=created_by_id,
        created_at=now,
        effective_at=when,
        reverses_id=reverses_id,
    )
    session.add(row)
    try:
        await session.flush()
    except IntegrityError as exc:  # a concurrent transfer with the same key but other accounts
        text = str(exc.orig)
        if "reverses_id" in text and reverses is not None:
            raise AlreadyReversed(
                f"转账 #{reverses.id} 已被冲正", f"transfer #{reverses.id} was already reversed"
            ) from exc
        if "idempotency_key" in text:
            raise IdempotencyConflict(
                f"幂等键 {idempotency_key!r} 已被另一笔转账使用", f"idempotency key {idempotency_key!r} already used"
            ) from exc
        raise
    session.add_all(
        LedgerPosting(district_id=district_id, transfer_id=row.id, account_id=a, amount=m, effective_at=when)
        for a, m in legs
    )
    for account in accounts:
        account.balance += deltas[account.id]
    await session.flush()
    return row


async def transfer(
    session: AsyncSession,
    *,
    district_id: int,
    legs: list[tuple[int, int]],
    reason: str,
    category: str = "",
    link: str = "",
    idempotency_key: str,
    created_by_id: int | None,
    effective_at: datetime | None = None,
) -> LedgerTransfer:
    """Post a transfer of two or more legs ``(account_id, signed amount)`` summing to zero.

    A repeated ``idempotency_key`` returns the existing transfer unchanged (and raises
    :class:`IdempotencyConflict` if its legs differ). Refusals raise a
    :class:`~core.ledger.errors.LedgerError` and write nothing.
    """
    return await _post(
        session,
        district_id=district_id,
        legs=list(legs),
        reason=reason,
        category=category,
        link=link,
        idempotency_key=idempotency_key,
        created_by_id=created_by_id,
        effective_at=effective_at,
    )


async def move(
    session: AsyncSession,
    *,
    district_id: int,
    from_account: int,
    to_account: int,
    amount: int,
    reason: str,
    category: str = "",
    link: str = "",
    idempotency_key: str,
    created_by_id: int | None,
    effective_at: datetime | None = None,
) -> LedgerTransfer:
    """Move a positive ``amount`` from one account to another (a two-leg transfer)."""
    if isinstance(amount, int) and not isinstance(amount, bool) and amount < 0:
        raise InvalidRequest(f"金额必须为正数：{amount}", f"the amount must be positive: {amount}")
    return await transfer(
        session,
        district_id=district_id,
        legs=[(from_account, -amount), (to_account, amount)],
        reason=reason,
        category=category,
        link=link,
        idempotency_key=idempotency_key,
        created_by_id=created_by_id,
        effective_at=effective_at,
    )


async def reverse(
    session: AsyncSession,
    *,
    district_id: int,
    transfer_id: int,
    reason: str,
    created_by_id: int | None,
    idempotency_key: str,
    effective_at: datetime | None = None,
) -> LedgerTransfer:
    """Undo a transfer with its mirror image, linked by ``reverses_id`` (at most one per transfer).

    The reversal is effective now unless ``effective_at`` says otherwise, so statements
    of past periods stay as they were printed. It is subject to the limits like any
    transfer; a reversal itself can't be reversed.
    """
    check_district(session, district_id)
    query = select(LedgerTransfer).where(LedgerTransfer.district_id == district_id, LedgerTransfer.id == transfer_id)
    original = (await session.execute(query)).scalar_one_or_none()
    if original is None:
        raise UnknownTransfer(
            f"转账 #{transfer_id} 不存在或不属于本区", f"transfer #{transfer_id} does not exist in this district"
        )
    if original.reverses_id is not None:
        raise CannotReverseReversal(
            f"转账 #{original.id} 本身是冲正，不能再冲正；如有需要请另做一笔转账",
            f"transfer #{original.id} is a reversal and can't be reversed; post a new transfer instead",
        )
    legs = [(account_id, -amount) for account_id, amount in await transfer_legs(session, original.id)]
    return await _post(
        session,
        district_id=district_id,
        legs=legs,
        reason=reason,
        category=original.category,
        link=original.link,
        idempotency_key=idempotency_key,
        created_by_id=created_by_id,
        effective_at=effective_at,
        reverses=original,
    )
