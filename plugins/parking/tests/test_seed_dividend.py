"""The demo's dividend at 东大街西里 (voted, paid, shares summing to its line), a renewal waiting, a reported car."""

from __future__ import annotations

from sqlalchemy import func, select

from core.testing.cpu import thread_cpu
from plugins.parking import money, resident
from plugins.parking.models import ParkingEstate
from plugins.parking.models_dividend import Dividend, DividendShare
from plugins.parking.models_money import FundLine
from plugins.parking.seed_dividend import seed_dividend
from plugins.parking.seed_money import seed_money
from plugins.parking.tests.money_support import add_treasurer_and_agreement
from plugins.parking.tests.support import haishu


def test_demo_dividend_is_voted_and_paid_and_a_renewal_and_a_report_wait(world, seed):
    """After the money demo: 2,000 元 paid to 东大街西里's 24 households (shares sum to the fund line), adopted by the
    owners' vote; a renewal waits for the committee and a resident's report for a patroller; quick and run once."""
    seed(lambda s: add_treasurer_and_agreement(s, world))

    async def run(session):
        district = await haishu(session)
        await seed_money(session, district)
        with thread_cpu() as cpu:  # this thread's CPU, the garbage collector paused
            await seed_dividend(session, district)
        cpu = cpu.seconds
        await seed_dividend(session, district)
        estate = (await session.execute(select(ParkingEstate).order_by(ParkingEstate.id.desc()))).scalars().first()
        rows = list((await session.execute(select(Dividend))).scalars())
        line = await session.get(FundLine, rows[0].fund_line_id)
        shares = (
            await session.execute(
                select(func.count(), func.sum(DividendShare.amount_fen)).where(DividendShare.dividend_id == rows[0].id)
            )
        ).one()
        draft = await money.statement_draft(session, estate, money.month_of(money.today()))
        renewals = await resident.renewals(session, estate_id=estate.id, statuses=("requested",))
        reports = await resident.reports(session, estate_id=world.estate, statuses=("open",))
        return cpu, [(r.status, r.amount_fen) for r in rows], line.amount_fen, tuple(shares), draft, renewals, reports

    cpu, dividends, line, shares, draft, renewals, reports = seed(run)
    assert dividends == [("paid", 200000)]
    assert line == -200000 and shares == (24, 200000)
    assert [entry["source"] for entry in draft.lines].count("dividend") == 1 and draft.closing >= 0
    assert len(renewals) == 1 and renewals[0].requested_by is not None
    assert [r.plate for r in reports] == ["浙B5Q7R1"]
    assert cpu < 1.0, f"the dividend demo seed took {cpu:.2f} s of CPU"
