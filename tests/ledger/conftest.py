"""Two districts with ledger accounts, and a way to run ledger calls in their own transactions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from core import ledger
from core.testing.factories import make_district, make_user
from tests.dbrunner import Db

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sqlalchemy.ext.asyncio import AsyncSession


@pytest.fixture
def db(database_url: str) -> Iterator[Db]:
    """A transaction runner on the test database."""
    runner = Db(database_url)
    try:
        yield runner
    finally:
        runner.close()


@pytest.fixture
def world(db: Db) -> dict[str, int]:
    """海曙区 and 鄞州区, a staff user, and in 海曙 a bank pool (no minimum) and two volunteers (minimum 0)."""

    async def build(session: AsyncSession) -> dict[str, int]:
        haishu = await make_district(session, "haishu", "海曙区", ref_prefix="HS")
        yinzhou = await make_district(session, "yinzhou", "鄞州区", ref_prefix="YZ")
        staff = await make_user(session, "staff", district=haishu, roles=("district_admin",))
        open_ = ledger.open_account
        pool = await open_(
            session,
            district_id=haishu.id,
            owner_kind="organization",
            owner_ref="bank:1",
            unit="minutes",
            name="新塍时间银行",
            min_balance=None,
        )
        li = await open_(
            session, district_id=haishu.id, owner_kind="person", owner_ref="user:li", unit="minutes", name="李阿姨"
        )
        wang = await open_(
            session, district_id=haishu.id, owner_kind="person", owner_ref="user:wang", unit="minutes", name="王师傅"
        )
        other = await open_(
            session,
            district_id=yinzhou.id,
            owner_kind="person",
            owner_ref="user:zhao",
            unit="minutes",
            name="赵",
        )
        return {
            "haishu": haishu.id,
            "yinzhou": yinzhou.id,
            "staff": staff.id,
            "pool": pool.id,
            "li": li.id,
            "wang": wang.id,
            "other": other.id,
        }

    return db(build)


def pay(db: Db, world: dict[str, int], src: str, dst: str, amount: int, key: str, **kw: Any) -> Any:
    """Move ``amount`` minutes in 海曙 from ``src`` to ``dst`` (names of ``world`` accounts)."""

    async def run(session: AsyncSession) -> Any:
        return await ledger.move(
            session,
            district_id=world["haishu"],
            from_account=world[src],
            to_account=world[dst],
            amount=amount,
            reason=kw.pop("reason", "测试"),
            idempotency_key=key,
            created_by_id=world["staff"],
            **kw,
        )

    return db(run)


def balances(db: Db, *ids: int) -> list[int]:
    """The cached balances of accounts ``ids``."""
    from sqlalchemy import select

    from core.models.ledger import LedgerAccount

    async def run(session: AsyncSession) -> list[int]:
        rows = dict((await session.execute(select(LedgerAccount.id, LedgerAccount.balance))).all())
        return [rows[i] for i in ids]

    return db(run)
