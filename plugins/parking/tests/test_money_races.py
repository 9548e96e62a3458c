"""Each step of an expense happens once under parallel requests (a real server, both backends)."""

from __future__ import annotations

from sqlalchemy import func, select

from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.parking import money, service
from plugins.parking.models_money import ExpenseApproval, FundLine
from plugins.parking.tests.money_support import API, add_treasurer_and_agreement, auth, collect_rent, request_expense
from plugins.parking.tests.support import haishu


def test_ten_parallel_approvals_and_ten_parallel_payments_pay_once(app, client, world, seed):
    """An 800-yuan expense (two approvers): 5 approvals by the chair and 5 by the treasurer at once give exactly two
    approvals (8 refused, 409); then 10 payments at once pay it once (9 refused): of the 1,200 yuan collected the
    fund holds 400, with one expense line."""
    agreement = seed(lambda s: add_treasurer_and_agreement(s, world))
    for period in ("2026-10", "2026-11"):
        assert collect_rent(client, world, agreement, period).status_code == 201  # 1,200 yuan in
    eid = request_expense(client, world, "patroller", "道闸电机", "800").json()["id"]
    approvals = [
        Call("POST", f"{API}/expenses/{eid}/approve", token=world.tokens[user])
        for user in ["parking-chair", "parking-treasurer"] * 5
    ]
    pays = [Call("POST", f"{API}/expenses/{eid}/pay", token=world.tokens["parking-treasurer"]) for _ in range(10)]
    with serve(app) as url:
        approved = fire(url, approvals)
        paid = fire(url, pays)
    assert sorted(r.status_code for r in approved) == [200] * 2 + [409] * 8, [r.text[:200] for r in approved]
    assert sorted(r.status_code for r in paid) == [200] + [409] * 9, [r.text[:200] for r in paid]

    async def state(session):
        await haishu(session)
        estate = await service.estate_or_404(session, world.estate)
        fund = await money.ensure_fund(session, estate)
        lines = await session.scalar(select(func.count()).where(FundLine.expense_id == eid))
        approvers = await session.scalar(select(func.count()).where(ExpenseApproval.expense_id == eid))
        return await money.balance(session, fund), lines, approvers

    assert seed(state) == (120000 - 80000, 1, 2)
    shown = client.get(f"{API}/expenses/{eid}", headers=auth(world, "parking-chair")).json()
    assert shown["status"] == "paid"
