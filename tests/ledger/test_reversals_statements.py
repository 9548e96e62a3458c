"""Reversals (one per transfer, never of a reversal) and statements across periods with back-dated entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core import ledger
from tests.ledger.conftest import balances, pay


def undo(db, world, transfer_id, key, district="haishu"):
    async def run(session):
        return await ledger.reverse(
            session,
            district_id=world[district],
            transfer_id=transfer_id,
            reason="记错了",
            created_by_id=world["staff"],
            idempotency_key=key,
        )

    return db(run)


def test_reversal_mirrors_the_transfer_and_links_to_it(db, world):
    """A reversal posts the opposite legs, keeps category and link, points at the original, and restores balances."""
    t = pay(db, world, "pool", "li", 90, "k1", category="探访", link="case:HS-2026-000009")
    r = undo(db, world, t.id, "undo:1")
    assert (r.reverses_id, r.category, r.link) == (t.id, "探访", "case:HS-2026-000009")
    assert db(lambda s: ledger.transfer_legs(s, r.id)) == sorted([(world["pool"], 90), (world["li"], -90)])
    assert balances(db, world["pool"], world["li"]) == [0, 0]
    assert db(ledger.verify) == []


def test_a_transfer_is_reversed_at_most_once(db, world):
    """A second reversal is refused (已被冲正); replaying the first one's key returns it unchanged."""
    t = pay(db, world, "pool", "li", 90, "k1")
    r = undo(db, world, t.id, "undo:1")
    assert undo(db, world, t.id, "undo:1").id == r.id
    with pytest.raises(ledger.AlreadyReversed, match=f"#{t.id} 已被 #{r.id} 冲正"):
        undo(db, world, t.id, "undo:2")
    assert balances(db, world["li"]) == [0]


def test_a_reversal_can_not_be_reversed(db, world):
    """Reversing a reversal is refused with a hint to post a new transfer."""
    t = pay(db, world, "pool", "li", 90, "k1")
    r = undo(db, world, t.id, "undo:1")
    with pytest.raises(ledger.CannotReverseReversal, match="本身是冲正"):
        undo(db, world, r.id, "undo:2")


def test_a_reversal_obeys_the_limits(db, world):
    """When the hours were already spent, the reversal would overdraw the account and is refused."""
    t = pay(db, world, "pool", "li", 90, "k1")
    pay(db, world, "li", "wang", 60, "k2")
    with pytest.raises(ledger.LimitExceeded, match="李阿姨"):
        undo(db, world, t.id, "undo:1")
    assert balances(db, world["li"]) == [30]


def test_reversal_of_another_districts_transfer_is_unknown(db, world):
    """A 鄞州 caller can't reverse a 海曙 transfer: it does not exist for them."""
    t = pay(db, world, "pool", "li", 90, "k1")
    with pytest.raises(ledger.UnknownTransfer, match="不属于本区"):
        undo(db, world, t.id, "undo:1", district="yinzhou")


def at(month, day=1):
    return datetime(2026, month, day, 8, tzinfo=UTC)


def test_statements_chain_across_periods_with_back_dated_entries(db, world):
    """Monthly statements chain (closing = next opening), each adds up, also after entries back-dated into them."""
    now = datetime.now(UTC)
    pay(db, world, "pool", "li", 120, "jan", effective_at=at(1, 10))
    pay(db, world, "pool", "li", 60, "mar", effective_at=at(3, 5))
    pay(db, world, "li", "wang", 30, "feb-spend", effective_at=at(2, 20))
    back = pay(db, world, "pool", "li", 45, "feb-late", effective_at=at(2, 2))  # entered after March's
    assert back.created_at > back.effective_at

    def stmt(start, end):
        return db(lambda s: ledger.statement(s, account_id=world["li"], start=start, end=end))

    months = [stmt(at(m), at(m + 1)) for m in (1, 2, 3)]
    for s in months:
        assert s.opening + sum(line.amount for line in s.lines) == s.closing
        assert s.credits + s.debits == s.closing - s.opening
    assert [m.opening for m in months] == [0, 120, 135]
    assert months[0].closing == months[1].opening and months[1].closing == months[2].opening
    assert [(line.amount, line.balance) for line in months[1].lines] == [(45, 165), (-30, 135)]
    assert months[1].lines[0].reason == "测试" and months[1].lines[0].transfer_id == back.id
    year = stmt(at(1), now + timedelta(seconds=1))
    assert year.closing == balances(db, world["li"])[0] == 195
    assert [line.effective_at for line in year.lines] == sorted(line.effective_at for line in year.lines)


def test_a_reversal_lands_in_the_period_it_is_made(db, world):
    """Reversing January's transfer now leaves January's statement as printed and shows the reversal today."""
    t = pay(db, world, "pool", "li", 120, "jan", effective_at=at(1, 10))
    undo(db, world, t.id, "undo:jan")
    january = db(lambda s: ledger.statement(s, account_id=world["li"], start=at(1), end=at(2)))
    today = db(lambda s: ledger.statement(s, account_id=world["li"], start=at(2), end=datetime.now(UTC)))
    assert (january.opening, january.closing) == (0, 120)
    assert [(line.amount, line.reverses_id) for line in today.lines] == [(-120, t.id)]
    assert today.closing == 0


def test_statement_needs_a_known_account_and_aware_dates(db, world):
    """An unknown account or naive dates are refused."""
    with pytest.raises(ledger.UnknownAccount):
        db(lambda s: ledger.statement(s, account_id=999_999, start=at(1), end=at(2)))
    with pytest.raises(ledger.InvalidRequest, match="时区"):
        db(lambda s: ledger.statement(s, account_id=world["li"], start=datetime(2026, 1, 1), end=at(2)))  # noqa: DTZ001


def test_format_amount_reads_like_people_talk():
    """Minutes read as 小时/分钟 and fen as 元, in Chinese and English."""
    assert ledger.format_amount(90, "minutes") == "1 小时 30 分钟"
    assert ledger.format_amount(120, "minutes") == "2 小时"
    assert ledger.format_amount(-5, "minutes", "en") == "-5 min"
    assert ledger.format_amount(12345, "fen") == "123.45 元"
    assert ledger.format_amount(-7, "fen", "en") == "-¥0.07"
