"""Transfers: balances, refusals with clear messages, idempotency, multi-leg, closed accounts, units."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core import ledger
from core.db.base import utcnow
from core.models.ledger import LedgerPosting, LedgerTransfer
from tests.ledger.conftest import balances, pay

pytestmark = pytest.mark.pgbouncer  # also through PgBouncer in transaction mode (core.testing.pgbouncer)


def count(db, model):
    async def run(session):
        return (await session.execute(select(func.count(model.id)))).scalar_one()

    return db(run)


def test_move_updates_both_balances_and_writes_two_postings(db, world):
    """A move of 90 minutes debits the pool, credits 李阿姨, and writes one transfer with two postings."""
    t = pay(db, world, "pool", "li", 90, "k1", category="陪聊", link="case:HS-2026-000001")
    assert balances(db, world["pool"], world["li"]) == [-90, 90]
    assert (t.category, t.link, t.reverses_id) == ("陪聊", "case:HS-2026-000001", None)
    assert t.effective_at == t.created_at
    assert db(lambda s: ledger.transfer_legs(s, t.id)) == sorted([(world["pool"], -90), (world["li"], 90)])
    assert db(ledger.verify) == []


def test_limit_blocks_the_transfer_with_a_chinese_first_message(db, world):
    """Spending more than the balance is refused with 余额不足 and the amounts in hours and minutes; nothing changes."""
    pay(db, world, "pool", "li", 60, "k1")
    with pytest.raises(ledger.LimitExceeded) as caught:
        pay(db, world, "li", "wang", 90, "k2")
    error = caught.value
    assert error.message.startswith("余额不足：账户")
    assert "李阿姨" in error.message and "-30 分钟" in error.message and "下限 0 分钟" in error.message
    assert error.message.index("余额不足") < error.message.index(" / balance too low")
    assert (error.account_id, error.balance_after, error.limit, error.unit) == (world["li"], -30, 0, "minutes")
    assert balances(db, world["pool"], world["li"], world["wang"]) == [-60, 60, 0]
    assert count(db, LedgerTransfer) == 1


def test_maximum_balance_blocks_too(db, world):
    """A credit that would take an account above its maximum is refused (超过上限), not flagged afterwards."""

    async def cap(session):
        await ledger.set_limits(
            session, district_id=world["haishu"], account_id=world["wang"], min_balance=0, max_balance=120
        )

    db(cap)
    pay(db, world, "pool", "wang", 120, "k1")
    with pytest.raises(ledger.LimitExceeded, match="超过上限") as caught:
        pay(db, world, "pool", "wang", 1, "k2")
    assert "2 小时 1 分钟" in caught.value.message
    assert balances(db, world["wang"]) == [120]


def test_an_account_past_a_lowered_limit_may_move_back(db, world):
    """After the maximum is lowered below the balance, debits are still allowed but credits are not."""
    pay(db, world, "pool", "wang", 300, "k1")

    async def lower(session):
        await ledger.set_limits(
            session, district_id=world["haishu"], account_id=world["wang"], min_balance=0, max_balance=100
        )

    db(lower)
    pay(db, world, "wang", "li", 50, "k2")
    with pytest.raises(ledger.LimitExceeded):
        pay(db, world, "pool", "wang", 10, "k3")
    assert balances(db, world["wang"]) == [250]


@pytest.mark.parametrize(
    ("legs", "error", "text"),
    [
        ([("pool", -10), ("li", 5)], ledger.UnbalancedTransfer, "借贷不平"),
        ([("pool", 0), ("li", 0)], ledger.ZeroPosting, "金额为零"),
        ([("li", -10), ("li", 10)], ledger.SelfTransfer, "不能转给自己"),
        ([("pool", -10)], ledger.InvalidRequest, "至少要有两个分录"),
        ([("pool", -10), ("other", 10)], ledger.UnknownAccount, "不属于本区"),
        ([("pool", -1.5), ("li", 1.5)], ledger.InvalidRequest, "整数"),
    ],
)
def test_malformed_transfers_are_refused(db, world, legs, error, text):
    """Unbalanced, zero, self, one-legged, foreign-account and non-integer transfers are refused and write nothing."""

    async def run(session):
        return await ledger.transfer(
            session,
            district_id=world["haishu"],
            legs=[(world[a], m) for a, m in legs],
            reason="错",
            idempotency_key="bad",
            created_by_id=None,
        )

    with pytest.raises(error, match=text):
        db(run)
    assert count(db, LedgerPosting) == 0
    assert balances(db, world["pool"], world["li"]) == [0, 0]


def test_move_refuses_negative_and_zero_amounts(db, world):
    """``move`` needs a positive amount: negative is invalid, zero is a zero posting, to itself a self transfer."""
    with pytest.raises(ledger.InvalidRequest, match="正数"):
        pay(db, world, "pool", "li", -5, "k")
    with pytest.raises(ledger.ZeroPosting):
        pay(db, world, "pool", "li", 0, "k")
    with pytest.raises(ledger.SelfTransfer):
        pay(db, world, "li", "li", 5, "k")


def test_same_key_twice_posts_once(db, world):
    """A double click (the same idempotency key twice) returns the first transfer and moves the hours once."""
    first = pay(db, world, "pool", "li", 90, "verify:case:7")
    second = pay(db, world, "pool", "li", 90, "verify:case:7")
    assert second.id == first.id
    assert balances(db, world["li"]) == [90]
    assert count(db, LedgerTransfer) == 1


def test_same_key_with_other_legs_is_a_conflict(db, world):
    """Reusing a key for different legs raises IdempotencyConflict instead of silently returning the old transfer."""
    pay(db, world, "pool", "li", 90, "k1")
    with pytest.raises(ledger.IdempotencyConflict, match="幂等键"):
        pay(db, world, "pool", "li", 60, "k1")
    with pytest.raises(ledger.IdempotencyConflict):
        pay(db, world, "pool", "wang", 90, "k1")
    assert balances(db, world["li"], world["wang"]) == [90, 0]


def test_one_to_many_and_many_to_one_are_one_transfer(db, world):
    """A group activity credits everyone in one transfer; a many-to-one collects in one; a failing leg stops all."""

    async def activity(session):
        return await ledger.transfer(
            session,
            district_id=world["haishu"],
            legs=[(world["pool"], -240), (world["li"], 120), (world["wang"], 120)],
            reason="巡查活动 10 人 × 2 小时",
            category="巡查",
            idempotency_key="activity:1",
            created_by_id=world["staff"],
        )

    t = db(activity)
    assert len(db(lambda s: ledger.transfer_legs(s, t.id))) == 3

    async def too_much(session):
        return await ledger.transfer(
            session,
            district_id=world["haishu"],
            legs=[(world["li"], -100), (world["wang"], -130), (world["pool"], 230)],
            reason="集体捐赠",
            idempotency_key="gift:1",
            created_by_id=None,
        )

    with pytest.raises(ledger.LimitExceeded, match="王师傅"):
        db(too_much)
    assert balances(db, world["pool"], world["li"], world["wang"]) == [-240, 120, 120]


def test_units_can_not_mix(db, world):
    """A transfer between a minutes account and a fen account is refused (单位必须相同)."""

    async def run(session):
        fen = await ledger.open_account(
            session,
            district_id=world["haishu"],
            owner_kind="system",
            owner_ref="parking",
            unit="fen",
            name="停车费",
            min_balance=None,
        )
        return await ledger.move(
            session,
            district_id=world["haishu"],
            from_account=fen.id,
            to_account=world["li"],
            amount=100,
            reason="x",
            idempotency_key="u",
            created_by_id=None,
        )

    with pytest.raises(ledger.UnitMismatch, match="单位必须相同"):
        db(run)


def test_open_account_is_idempotent_and_checks_its_input(db, world):
    """Opening the same owner and unit twice returns the first account; bad units, kinds and limits are refused."""

    async def run(session):
        again = await ledger.open_account(
            session,
            district_id=world["haishu"],
            owner_kind="person",
            owner_ref="user:li",
            unit="minutes",
            name="另一个名字",
        )
        found = await ledger.get_account(session, district_id=world["haishu"], owner_ref="user:li", unit="minutes")
        missing = await ledger.get_account(session, district_id=world["yinzhou"], owner_ref="user:li", unit="minutes")
        return again, found, missing

    again, found, missing = db(run)
    assert again.id == found.id == world["li"] and again.name == "李阿姨" and missing is None
    for kwargs, text in [
        ({"unit": "hours"}, "未知单位"),
        ({"owner_kind": "robot"}, "所有者类型"),
        ({"min_balance": 10, "max_balance": 5}, "高于上限"),
    ]:
        args = {"owner_kind": "person", "unit": "minutes", **kwargs}

        async def bad(session, args=args):
            return await ledger.open_account(session, district_id=world["haishu"], owner_ref="x", name="x", **args)

        with pytest.raises(ledger.InvalidRequest, match=text):
            db(bad)


def test_closed_accounts_take_no_transfers(db, world):
    """An account can be closed only at zero, and then takes part in no transfer."""
    pay(db, world, "pool", "wang", 30, "k1")

    def close(name):
        return db(lambda s: ledger.close_account(s, district_id=world["haishu"], account_id=world[name]))

    with pytest.raises(ledger.AccountNotEmpty, match="余额不为零"):
        close("wang")
    assert close("li").closed_at is not None
    with pytest.raises(ledger.AccountClosed, match="已关闭"):
        pay(db, world, "wang", "li", 10, "k2")


def test_effective_at_can_go_back_but_not_forward(db, world):
    """Back-dating is allowed; a future or naive effective date is refused."""
    past = utcnow() - timedelta(days=40)
    t = pay(db, world, "pool", "li", 30, "k1", effective_at=past)
    assert t.effective_at == past and t.created_at > past
    with pytest.raises(ledger.InvalidRequest, match="将来"):
        pay(db, world, "pool", "li", 30, "k2", effective_at=utcnow() + timedelta(days=1))
    with pytest.raises(ledger.InvalidRequest, match="时区"):
        pay(db, world, "pool", "li", 30, "k3", effective_at=past.replace(tzinfo=None))
