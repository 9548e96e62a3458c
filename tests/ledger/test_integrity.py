"""Append-only postings, district isolation and ``sanshe ledger verify``."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from core import ledger
from core.cli import ledger as ledger_cli
from core.db.tenancy import for_district
from core.models.ledger import LedgerAccount, LedgerPosting, LedgerTransfer
from tests.ledger.conftest import balances, pay


def test_orm_refuses_to_change_or_delete_postings_and_transfers(db, world):
    """Editing or deleting a posting or transfer through the ORM, singly or in bulk, raises AppendOnly."""
    pay(db, world, "pool", "li", 90, "k1")

    async def edit(session):
        posting = (await session.execute(select(LedgerPosting).limit(1))).scalar_one()
        posting.amount = 1
        await session.flush()

    async def drop(session):
        await session.delete((await session.execute(select(LedgerTransfer))).scalar_one())
        await session.flush()

    for job in (edit, drop):
        with pytest.raises(ledger.AppendOnly, match="账本只能追加"):
            db(job)
    for statement in (update(LedgerPosting).values(amount=1), delete(LedgerTransfer)):
        with pytest.raises(ledger.AppendOnly):
            db(lambda s, statement=statement: s.execute(statement))
    assert balances(db, world["li"]) == [90]
    assert db(ledger.verify) == []


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_postings SET amount = amount * 2",
        "DELETE FROM ledger_postings",
        "UPDATE ledger_transfers SET reason = 'x'",
        "DELETE FROM ledger_transfers",
    ],
)
def test_database_refuses_raw_updates_and_deletes(db, world, sql):
    """Triggers refuse UPDATE and DELETE of postings and transfers even in raw SQL, on both backends."""
    pay(db, world, "pool", "li", 90, "k1")
    with pytest.raises(DBAPIError, match="append-only"):
        db(lambda s: s.execute(text(sql)))


def test_deleting_a_whole_district_takes_its_ledger_along(db, world):
    """The one DELETE the triggers let through is the cascade from deleting the district itself."""

    async def post_and_delete(session):
        other = await ledger.open_account(
            session,
            district_id=world["yinzhou"],
            owner_kind="system",
            owner_ref="pool",
            unit="minutes",
            name="池",
            min_balance=None,
        )
        await ledger.move(
            session,
            district_id=world["yinzhou"],
            from_account=other.id,
            to_account=world["other"],
            amount=5,
            reason="x",
            idempotency_key="y1",
            created_by_id=None,
        )
        await session.flush()
        await session.execute(text("DELETE FROM districts WHERE id = :id"), {"id": world["yinzhou"]})

    db(post_and_delete)

    async def left(session):
        return (await session.execute(select(LedgerAccount.district_id).distinct())).scalars().all()

    assert db(left) == [world["haishu"]]


def test_an_account_of_another_district_can_not_be_used(db, world):
    """A 海曙 transfer can't use a 鄞州 account; a 鄞州-bound session can't act for 海曙 nor read its accounts."""
    with pytest.raises(ledger.UnknownAccount, match=f"#{world['other']} 不存在或不属于本区"):
        pay(db, world, "pool", "other", 10, "k1")

    async def bound_elsewhere(session):
        for_district(session, world["yinzhou"])
        return await ledger.move(
            session,
            district_id=world["haishu"],
            from_account=world["pool"],
            to_account=world["li"],
            amount=10,
            reason="x",
            idempotency_key="k2",
            created_by_id=None,
        )

    with pytest.raises(ledger.CrossDistrict, match="另一个区"):
        db(bound_elsewhere)

    async def peek(session):
        for_district(session, world["yinzhou"])
        from datetime import UTC, datetime

        start = datetime(2026, 1, 1, tzinfo=UTC)
        return await ledger.statement(session, account_id=world["li"], start=start, end=datetime.now(UTC))

    with pytest.raises(ledger.UnknownAccount):
        db(peek)
    assert balances(db, world["pool"], world["other"]) == [0, 0]


def _cli() -> click.Group:
    group = click.Group("sanshe")
    ledger_cli.register(group)
    return group


def test_cli_verify_clean_then_reports_a_tampered_balance(db, world, database_url, monkeypatch, tmp_path):
    """``sanshe ledger verify`` exits 0 on a sound ledger and 1 with a line per break after raw-SQL tampering."""
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    pay(db, world, "pool", "li", 90, "k1")
    result = CliRunner().invoke(_cli(), ["ledger", "verify"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "checked 4 accounts and 2 postings, 0 breaks" in result.output

    db(lambda s: s.execute(text("UPDATE ledger_accounts SET balance = 100 WHERE id = :id"), {"id": world["li"]}))
    result = CliRunner().invoke(_cli(), ["ledger", "verify"], catch_exceptions=False)
    assert result.exit_code == 1
    breaks = [line for line in result.output.splitlines() if line.startswith("断裂 / BREAK")]
    assert breaks == [
        f"断裂 / BREAK  账户 #{world['li']}「李阿姨」缓存余额 100 ≠ 过账合计 90 / "
        f"account #{world['li']}: cached balance 100 != sum of postings 90"
    ]
    assert "1 breaks" in result.output

    clean = CliRunner().invoke(_cli(), ["ledger", "verify", "--district", "yinzhou"], catch_exceptions=False)
    assert clean.exit_code == 0 and "checked 1 accounts and 0 postings, 0 breaks" in clean.output
    unknown = CliRunner().invoke(_cli(), ["ledger", "verify", "--district", "nowhere"])
    assert unknown.exit_code == 2 and "nowhere" in unknown.output


def test_cli_accounts_lists_balances(db, world, database_url, monkeypatch, tmp_path):
    """``sanshe ledger accounts --district haishu`` shows each account's balance in hours and minutes."""
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    pay(db, world, "pool", "li", 90, "k1")
    result = CliRunner().invoke(_cli(), ["ledger", "accounts", "--district", "haishu"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if "李阿姨" in line)
    assert "1 小时 30 分钟" in line
    assert "赵" not in result.output


def test_cli_reverse_undoes_a_transfer_once(db, world, database_url, monkeypatch, tmp_path):
    """``sanshe ledger reverse`` undoes a transfer (balance back to 0, ledger sound); a second time is refused."""
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    t = pay(db, world, "pool", "li", 90, "k1")
    args = ["ledger", "reverse", "--district", "haishu", "--reason", "记错了", str(t.id)]
    result = CliRunner().invoke(_cli(), args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"已冲正转账 #{t.id}" in result.output
    assert balances(db, world["li"]) == [0]
    assert db(ledger.verify) == []

    again = CliRunner().invoke(_cli(), args)
    assert again.exit_code == 2
    assert "错误 / error" in again.output
    assert balances(db, world["li"]) == [0]  # nothing more written
    blank = CliRunner().invoke(_cli(), ["ledger", "reverse", "--district", "haishu", "--reason", " ", str(t.id)])
    assert blank.exit_code == 2 and "冲正原因" in blank.output


def test_verify_finds_postings_out_of_balance(db, world):
    """verify reports a forged posting: the unbalanced transfer, the unit total and the stale balance."""
    t = pay(db, world, "pool", "li", 90, "k1")

    async def forge(session):
        await session.execute(
            text(
                "INSERT INTO ledger_postings (district_id, transfer_id, account_id, amount, effective_at) "
                "SELECT district_id, transfer_id, :wang, 7, effective_at FROM ledger_postings WHERE transfer_id = :t "
                "LIMIT 1"
            ),
            {"wang": world["wang"], "t": t.id},
        )

    db(forge)
    problems = db(ledger.verify)
    assert any("postings in minutes sum to 7" in p for p in problems)
    assert any(f"transfer #{t.id} is broken: 3 postings summing to 7" in p for p in problems)
    assert any(f"account #{world['wang']}: cached balance 0 != sum of postings 7" in p for p in problems)
    assert db(lambda s: ledger.verify(s, district_id=world["yinzhou"])) == []


def test_verify_finds_a_forged_reversal_of_a_reversal(db, world):
    """A reversal of a reversal written behind the API, with lopsided legs, is reported on both counts."""
    t = pay(db, world, "pool", "li", 90, "k1")

    async def reverse_and_forge(session):
        r = await ledger.reverse(
            session,
            district_id=world["haishu"],
            transfer_id=t.id,
            reason="冲正",
            created_by_id=None,
            idempotency_key="undo",
        )
        await session.flush()
        row = await session.execute(
            text(
                "INSERT INTO ledger_transfers (district_id, reason, category, link, idempotency_key, created_at,"
                " effective_at, reverses_id) SELECT district_id, 'forged', '', '', 'forged', created_at,"
                " effective_at, id FROM ledger_transfers WHERE id = :r RETURNING id"
            ),
            {"r": r.id},
        )
        forged = row.scalar_one()
        for account, amount in ((world["pool"], -80), (world["li"], 80)):
            await session.execute(
                text(
                    "INSERT INTO ledger_postings (district_id, transfer_id, account_id, amount, effective_at)"
                    " SELECT district_id, id, :a, :m, effective_at FROM ledger_transfers WHERE id = :f"
                ),
                {"a": account, "m": amount, "f": forged},
            )
        return r.id, forged

    r, forged = db(reverse_and_forge)
    problems = db(ledger.verify)
    assert any(f"reversal #{forged} reverses #{r}, which is a reversal" in p for p in problems)
    assert any(f"reversal #{forged} does not mirror #{r} on account #{world['li']} (off by -10)" in p for p in problems)
