"""Opening, finding, closing accounts and changing their limits."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db.base import utcnow
from core.ledger.errors import AccountNotEmpty, CrossDistrict, InvalidRequest, UnknownAccount
from core.ledger.units import UNITS, Unit
from core.models.ledger import OWNER_KINDS, LedgerAccount

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("check_district", "close_account", "get_account", "open_account", "set_limits")


def check_district(session: AsyncSession, district_id: int) -> None:
    """Refuse to work for ``district_id`` in a session bound to another district."""
    bound = session.info.get("district_id")
    if bound is not None and bound != district_id:
        raise CrossDistrict(
            f"会话属于另一个区（{bound}），不能操作区 {district_id} 的账本",
            f"the session belongs to district {bound}, not to district {district_id}",
        )


def _check_limits(min_balance: int | None, max_balance: int | None) -> None:
    for value in (min_balance, max_balance):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise InvalidRequest("余额上下限必须是整数", "balance limits must be integers")
    if min_balance is not None and max_balance is not None and min_balance > max_balance:
        raise InvalidRequest(
            f"下限 {min_balance} 高于上限 {max_balance}", f"minimum {min_balance} is above maximum {max_balance}"
        )


async def get_account(session: AsyncSession, *, district_id: int, owner_ref: str, unit: Unit) -> LedgerAccount | None:
    """The account of ``owner_ref`` in ``unit`` in the district, or ``None``."""
    check_district(session, district_id)
    query = select(LedgerAccount).where(
        LedgerAccount.district_id == district_id, LedgerAccount.owner_ref == owner_ref, LedgerAccount.unit == unit
    )
    return (await session.execute(query)).scalar_one_or_none()


async def open_account(
    session: AsyncSession,
    *,
    district_id: int,
    owner_kind: str,
    owner_ref: str,
    unit: Unit,
    name: str,
    min_balance: int | None = 0,
    max_balance: int | None = None,
) -> LedgerAccount:
    """Open an account, or return the existing one of ``(district, owner_ref, unit)`` unchanged.

    ``min_balance=None`` / ``max_balance=None`` mean no limit on that side (a system
    account that issues hours or money has no minimum).
    """
    if unit not in UNITS:
        raise InvalidRequest(f"未知单位 {unit!r}（可用：minutes, fen）", f"unknown unit {unit!r} (use minutes or fen)")
    if owner_kind not in OWNER_KINDS:
        raise InvalidRequest(
            f"未知的账户所有者类型 {owner_kind!r}", f"unknown owner kind {owner_kind!r} (person, organization, system)"
        )
    if not owner_ref or not name:
        raise InvalidRequest("账户需要所有者标识和名称", "an account needs an owner reference and a name")
    _check_limits(min_balance, max_balance)
    existing = await get_account(session, district_id=district_id, owner_ref=owner_ref, unit=unit)
    if existing is not None:
        return existing
    account = LedgerAccount(
        district_id=district_id,
        owner_kind=owner_kind,
        owner_ref=owner_ref,
        unit=unit,
        name=name,
        min_balance=min_balance,
        max_balance=max_balance,
        balance=0,
    )
    try:
        async with session.begin_nested():  # a concurrent opener may win the unique key
            session.add(account)
    except IntegrityError:
        found = await get_account(session, district_id=district_id, owner_ref=owner_ref, unit=unit)
        if found is None:
            raise
        return found
    return account


async def _load(session: AsyncSession, district_id: int, account_id: int) -> LedgerAccount:
    check_district(session, district_id)
    query = (
        select(LedgerAccount)
        .where(LedgerAccount.district_id == district_id, LedgerAccount.id == account_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    account = (await session.execute(query)).scalar_one_or_none()
    if account is None:
        raise UnknownAccount(
            f"账户 #{account_id} 不存在或不属于本区", f"account #{account_id} does not exist in this district"
        )
    return account


async def set_limits(
    session: AsyncSession, *, district_id: int, account_id: int, min_balance: int | None, max_balance: int | None
) -> LedgerAccount:
    """Change an account's limits. A balance already past a new limit stays; it only blocks moving further."""
    _check_limits(min_balance, max_balance)
    account = await _load(session, district_id, account_id)
    account.min_balance = min_balance
    account.max_balance = max_balance
    await session.flush()
    return account


async def close_account(session: AsyncSession, *, district_id: int, account_id: int) -> LedgerAccount:
    """Close an account whose balance is zero; it then takes part in no transfer (its history stays)."""
    account = await _load(session, district_id, account_id)
    if account.balance != 0:
        raise AccountNotEmpty(
            f"账户 #{account.id}「{account.name}」余额不为零，不能关闭；请先转出余额",
            f"account #{account.id} has a non-zero balance ({account.balance}); move it out before closing",
        )
    if account.closed_at is None:
        account.closed_at = utcnow()
        await session.flush()
    return account
