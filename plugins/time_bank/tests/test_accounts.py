"""Spending, giving, expiry and incentives: every movement a transfer, refusals change nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from core import ledger
from core.models.ledger import LedgerTransfer
from plugins.time_bank import accounts, banks
from plugins.time_bank.models import Badge, CatalogueItem
from plugins.time_bank.tests.support import balance, bank_of


def _pay(seed, world, user: str, minutes: int, *, days_ago: int = 0, key: str = "") -> None:
    """Credit ``minutes`` earned ``days_ago`` from the bank's pool (as a verified service would)."""

    async def pay(session):
        bank = await bank_of(session, world.bank)
        pool = await banks.pool_account(session, bank)
        account = await banks.account_of(session, bank, world.users[user])
        await ledger.move(
            session,
            district_id=bank.district_id,
            from_account=pool.id,
            to_account=account.id,
            amount=minutes,
            reason="测试服务",
            category="chat",
            idempotency_key=f"{banks.EARN_PREFIX}test:{user}:{key or days_ago}",
            created_by_id=None,
            effective_at=datetime.now(UTC) - timedelta(days=days_ago),
        )

    seed(pay)


def _redeem(world, user: str, key: str = "k1", **kw):
    async def run(session):
        bank = await bank_of(session, world.bank)
        item = await session.get(CatalogueItem, world.haircut_item) if kw.pop("haircut", False) else None
        return await accounts.redeem(session, bank, world.users[user], key=key, by=None, item=item, **kw)

    return run


def test_redemption_over_the_balance_is_refused_clearly(seed, world):
    """With 30 minutes, spending 60 on 上门理发 is refused with both amounts named, and the balance stays."""
    _pay(seed, world, "resident", 30)
    with pytest.raises(accounts.Refused) as refused:
        seed(_redeem(world, "resident", haircut=True))
    assert "余额不足" in refused.value.message
    assert "30 分钟" in refused.value.message
    assert "1 小时" in refused.value.message
    assert seed(lambda s: balance(s, world.bank, world.users["resident"])) == 30


def test_redemption_moves_hours_back_to_the_bank_once(seed, world):
    """Spending 60 of 90 minutes leaves 30; the same request sent twice spends once."""
    _pay(seed, world, "resident", 90)
    seed(_redeem(world, "resident", haircut=True))
    seed(_redeem(world, "resident", haircut=True))
    assert seed(lambda s: balance(s, world.bank, world.users["resident"])) == 30


def test_paying_another_member(seed, world):
    """A member pays another member 45 minutes for a service; a non-member is refused."""
    _pay(seed, world, "resident", 60)
    seed(_redeem(world, "resident", to_user=world.users["volunteer2"], minutes=45))
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer2"])) == 45
    with pytest.raises(accounts.Refused):
        seed(_redeem(world, "resident", key="k2", to_user=world.users["newbie"], minutes=10))


def _gift(world, giver: str, to: str, minutes: int, key: str = "g1"):
    async def run(session):
        bank = await bank_of(session, world.bank)
        return await accounts.gift(session, bank, world.users[giver], world.users[to], minutes, key=key, by=None)

    return run


def test_gift_to_a_linked_parent(seed, world):
    """volunteer gives 2 hours to the mother linked by staff; giving to an unlinked member is refused."""
    _pay(seed, world, "volunteer", 180)
    seed(_gift(world, "volunteer", "resident", 120))
    assert seed(lambda s: balance(s, world.bank, world.users["resident"])) == 120
    with pytest.raises(accounts.Refused) as refused:
        seed(_gift(world, "volunteer", "resident2", 30, key="g2"))
    assert "家庭成员" in refused.value.message
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 60


def test_gift_beyond_the_yearly_limit_is_refused(seed, world):
    """With a yearly gift limit of 1 hour, a second gift of 40 minutes after 30 is refused."""

    async def rules(session):
        await banks.update_rules(session, await bank_of(session, world.bank), banks.BankRules(gift_yearly_max=60))

    seed(rules)
    _pay(seed, world, "volunteer", 180)
    seed(_gift(world, "volunteer", "resident", 30))
    with pytest.raises(accounts.Refused) as refused:
        seed(_gift(world, "volunteer", "resident", 40, key="g2"))
    assert "1 小时" in refused.value.message
    assert seed(lambda s: balance(s, world.bank, world.users["resident"])) == 30


def _expire(world, as_of=None):
    async def run(session):
        bank = await bank_of(session, world.bank)
        return await accounts.expire_unused(session, bank, as_of=as_of, by=None)

    return run


def test_expiry_is_a_transfer_back_to_the_bank(seed, world):
    """With 12-month expiry, 2 hours earned 400 days ago go back to the bank; 1 hour earned last week stays."""

    async def rules(session):
        await banks.update_rules(session, await bank_of(session, world.bank), banks.BankRules(expiry_months=12))

    seed(rules)
    _pay(seed, world, "volunteer", 120, days_ago=400)
    _pay(seed, world, "volunteer", 60, days_ago=7)
    assert seed(_expire(world)) == 1
    assert seed(_expire(world)) == 0  # once per account and month
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 60

    async def expiry_transfers(session):
        query = select(func.count()).select_from(LedgerTransfer).where(LedgerTransfer.category == "expiry")
        return (await session.execute(query)).scalar_one(), await ledger.verify(session)

    count, problems = seed(expiry_transfers)
    assert count == 1
    assert problems == []


def test_spent_hours_are_taken_from_the_oldest(seed, world):
    """Old hours already spent do not expire: 2 h earned long ago, 1.5 h spent, 1 h earned recently → 30 min expire."""

    async def rules(session):
        await banks.update_rules(session, await bank_of(session, world.bank), banks.BankRules(expiry_months=12))

    seed(rules)
    _pay(seed, world, "resident", 120, days_ago=400)
    seed(_redeem(world, "resident", to_user=world.users["volunteer2"], minutes=90))
    _pay(seed, world, "resident", 60, days_ago=3)
    seed(_expire(world))
    assert seed(lambda s: balance(s, world.bank, world.users["resident"])) == 60


def test_incentive_is_awarded_once_per_rule_and_period(seed, world, as_user):
    """Reaching 2 verified hours in a year earns the badge and a 30-minute bonus once, however often it is checked."""

    async def rules(session):
        rule = {"key": "two_hours", "name": "服务之星", "threshold": 120, "bonus": 30, "period": "year"}
        await banks.update_rules(session, await bank_of(session, world.bank), banks.BankRules(incentives=[rule]))

    seed(rules)
    _pay(seed, world, "volunteer", 150)

    async def check(session):
        bank = await bank_of(session, world.bank)
        return await accounts.apply_incentives(session, bank, world.users["volunteer"], datetime.now(UTC), by=None)

    assert seed(check) == 1
    assert seed(check) == 0
    assert seed(lambda s: balance(s, world.bank, world.users["volunteer"])) == 180

    async def badges(session):
        return list((await session.execute(select(Badge.name, Badge.period))).all())

    assert [name for name, _ in seed(badges)] == ["服务之星"]
