"""The surplus dividend: the owners' vote first, shares summing to the ledger entry, never beyond the fund."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from core.plugin_api import LedgerPosting
from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.parking import dividend, money, service
from plugins.parking.models_dividend import DividendShare
from plugins.parking.models_money import FundLine
from plugins.parking.tests.money_support import API, add_treasurer_and_agreement, auth, collect_rent
from plugins.parking.tests.support import HOUSEHOLDS, haishu

THIS_MONTH = money.month_of(money.today()).strftime("%Y-%m")


def test_split_by_largest_remainder_sums_exactly_and_breaks_ties_by_household():
    """1,000.01 元 over the six test flats' areas sums to 100,001 fen; 100 fen over 3 equal shares: 34, 33, 33."""
    areas = [(i, Decimal(a)) for i, (_b, _r, a, _o, _p) in enumerate(HOUSEHOLDS)]
    shares = dividend.split(100001, areas)
    assert sum(shares.values()) == 100001
    whole = sum(a for _i, a in areas)
    for i, area in areas:  # every share is its exact quota rounded down or up
        quota = Decimal(100001) * area / whole
        assert int(quota) <= shares[i] <= int(quota) + 1
    assert dividend.split(100, [(7, 1), (3, 1), (5, 1)]) == {3: 34, 5: 33, 7: 33}
    assert dividend.split(5, [(1, 0), (2, 0)]) == {1: 3, 2: 2}  # no areas at all: equal shares


def _propose(client, world, yuan: str, method: str = "area"):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/estates/{world.estate}/dividends",
        json={"title": "年终结余分红", "amount_yuan": yuan, "method": method},
        headers=auth(world, "parking-chair"),
    )


def _vote(client, world, dividend_id: int, choice: str) -> None:  # type: ignore[no-untyped-def]
    """Every household's paper ballot, entered by the community worker, then the vote closed."""
    for household in world.households:
        cast = client.post(
            f"{API}/dividends/{dividend_id}/ballots",
            json={"household_id": household, "choice": choice, "channel": "paper"},
            headers=auth(world, "worker"),
        )
        assert cast.status_code == 200, cast.text
    closed = client.post(f"{API}/dividends/{dividend_id}/close", headers=auth(world, "worker"))
    assert closed.status_code == 200, closed.text


def _balance(seed, world) -> int:  # type: ignore[no-untyped-def]
    async def read(session):  # type: ignore[no-untyped-def]
        await haishu(session)
        estate = await service.estate_or_404(session, world.estate)
        return await money.balance(session, await money.ensure_fund(session, estate))

    return int(seed(read))


def test_adopted_dividend_pays_one_share_per_household_summing_to_the_ledger_entry(client, world, seed):
    """1,000.01 元 by floor area: refused before the vote is closed, paid once after; six shares summing to 100,001
    fen = the fund line = the ledger transfer; the month's statement shows it as an expense line."""
    agreement = seed(lambda s: add_treasurer_and_agreement(s, world))
    for period in ("2026-10", "2026-11"):
        assert collect_rent(client, world, agreement, period).status_code == 201  # 1,200 元 in
    proposed = _propose(client, world, "1000.01")
    assert proposed.status_code == 201, proposed.text
    did = proposed.json()["id"]
    assert proposed.json()["status"] == "voting" and proposed.json()["vote_id"]
    early = client.post(f"{API}/dividends/{did}/pay", headers=auth(world, "parking-treasurer"))
    assert early.status_code == 409 and "业主表决通过" in early.json()["detail"]

    _vote(client, world, did, "for")
    not_treasurer = client.post(f"{API}/dividends/{did}/pay", headers=auth(world, "parking-chair"))
    assert not_treasurer.status_code in (400, 403) and "财务" in not_treasurer.json()["detail"]
    paid = client.post(f"{API}/dividends/{did}/pay", headers=auth(world, "parking-treasurer"))
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert body["status"] == "paid" and len(body["shares"]) == len(HOUSEHOLDS)
    assert sum(s["amount_fen"] for s in body["shares"]) == 100001
    twice = client.post(f"{API}/dividends/{did}/pay", headers=auth(world, "parking-treasurer"))
    assert twice.status_code == 409 and "已经发放" in twice.json()["detail"]

    async def entries(session):  # type: ignore[no-untyped-def]
        await haishu(session)
        line = (await session.execute(select(FundLine).where(FundLine.id == body["fund_line_id"]))).scalar_one()
        postings = select(LedgerPosting.amount).where(LedgerPosting.transfer_id == line.transfer_id)
        moved = sorted((await session.execute(postings)).scalars())
        total = await session.scalar(select(func.sum(DividendShare.amount_fen)).where(DividendShare.dividend_id == did))
        return line.source, line.amount_fen, moved, total

    assert seed(entries) == ("dividend", -100001, [-100001, 100001], 100001)  # fund → paid out
    assert _balance(seed, world) == 120000 - 100001
    statement = client.get(
        f"{API}/estates/{world.estate}/statements/{THIS_MONTH}", headers=auth(world, "parking-chair")
    )
    lines = [line for line in statement.json()["lines"] if line["source"] == "dividend"]
    assert [line["amount_fen"] for line in lines] == [-100001]
    assert statement.json()["expenses_fen"] == 100001


def test_no_dividend_without_an_adopted_vote_and_nothing_moves(client, world, seed):
    """Owners voting against: the dividend is not adopted, paying it is refused (409), the fund keeps its balance and
    no share is written; proposing more than 1,000,000 元 or without a title is refused with the fields named."""
    agreement = seed(lambda s: add_treasurer_and_agreement(s, world))
    assert collect_rent(client, world, agreement, "2026-11").status_code == 201
    did = _propose(client, world, "100.00").json()["id"]
    _vote(client, world, did, "against")
    shown = client.get(f"{API}/dividends/{did}", headers=auth(world, "resident")).json()
    assert shown["status"] == "rejected"
    refused = client.post(f"{API}/dividends/{did}/pay", headers=auth(world, "parking-treasurer"))
    assert refused.status_code == 409 and "业主表决通过" in refused.json()["detail"]
    assert _balance(seed, world) == 60000
    shares = seed(lambda s: _share_count(s, did))
    assert shares == 0
    bad = client.post(
        f"{API}/estates/{world.estate}/dividends",
        json={"title": "", "amount_yuan": "abc"},
        headers=auth(world, "parking-chair"),
    )
    assert bad.status_code == 400 and set(bad.json()["errors"]) >= {"title", "amount_yuan"}
    resident = client.post(
        f"{API}/estates/{world.estate}/dividends",
        json={"title": "分红", "amount_yuan": "1"},
        headers=auth(world, "resident"),
    )
    assert resident.status_code == 403


async def _share_count(session, did: int) -> int:  # type: ignore[no-untyped-def]
    await haishu(session)
    return int(await session.scalar(select(func.count()).where(DividendShare.dividend_id == did)) or 0)


def test_parallel_payments_of_two_dividends_never_exceed_the_fund(app, client, world, seed):
    """The fund holds 1,200 元; two adopted dividends of 800 元 each, paid by 5 + 5 parallel requests: exactly one is
    paid (9 refused, 409), the fund keeps 400 元 and only the paid one has shares."""
    agreement = seed(lambda s: add_treasurer_and_agreement(s, world))
    for period in ("2026-10", "2026-11"):
        assert collect_rent(client, world, agreement, period).status_code == 201
    first = _propose(client, world, "800").json()["id"]
    second = _propose(client, world, "800", "equal").json()["id"]
    for did in (first, second):
        _vote(client, world, did, "for")
    token = world.tokens["parking-treasurer"]
    calls = [Call("POST", f"{API}/dividends/{did}/pay", token=token) for did in [first, second] * 5]
    with serve(app) as url:
        answers = fire(url, calls)
    assert sorted(r.status_code for r in answers) == [200] + [409] * 9, [r.text[:200] for r in answers]
    assert _balance(seed, world) == 120000 - 80000
    counts = sorted([seed(lambda s: _share_count(s, first)), seed(lambda s: _share_count(s, second))])
    assert counts == [0, len(HOUSEHOLDS)]
