"""The demo's 塘桥 tidal rent: the office tower's monthly rent reaches the estate's fund on the ledger, the past months
are published and reconcile, the public page shows them; fast and run once."""

from __future__ import annotations

import itertools

from sqlalchemy import select

from core.testing.cpu import thread_cpu
from core.testing.factories import make_user
from plugins.parking import money
from plugins.parking.models import ParkingEstate, TidalAgreement
from plugins.parking.models_money import FundLine, ParkingFund
from plugins.parking.seed import _tangqiao as seed_tangqiao
from plugins.parking.seed_tidal_rent import PAID_MONTHS, TOWER, seed_tidal_rent
from plugins.parking.tests.support import haishu


def test_tangqiao_rent_goes_into_the_fund_and_is_published(client, world, seed):
    """塘桥 as the parking demo makes it (30 signed agreements), then its rent: the fund holds the tower's rent
    (57 spaces × 300 元 a month) for the three months before this one and this one — four tidal lines, one per month,
    each a ledger transfer; the three past months are published, each closing equals the next opening, and the
    ledger balance equals the last closing plus this month's rent. The public statement page lists the rent; a
    second run adds nothing; under a second of CPU."""

    async def run(session):
        district = await haishu(session)
        await make_user(session, "parking-treasurer", district=district, roles=("resident",))
        await seed_tangqiao(session, district, None, money.today())  # 塘桥 alone, as the parking demo makes it
        with thread_cpu() as cpu:  # this thread's CPU, the garbage collector paused
            await seed_tidal_rent(session, district)
        cpu = cpu.seconds
        await seed_tidal_rent(session, district)
        agreement = (await session.execute(select(TidalAgreement).where(TidalAgreement.partner == TOWER))).scalar_one()
        estate = await session.get(ParkingEstate, agreement.parking_estate_id)
        fund = (
            await session.execute(select(ParkingFund).where(ParkingFund.parking_estate_id == estate.id))
        ).scalar_one()
        lines = list((await session.execute(select(FundLine).where(FundLine.parking_estate_id == estate.id))).scalars())
        statements = sorted(await money.statements(session, estate.id), key=lambda s: s.month)
        balance = await money.balance(session, fund)
        return cpu, agreement, estate.id, lines, statements, balance

    cpu, agreement, estate_id, lines, statements, balance = seed(run)
    rent = agreement.space_count * agreement.price_fen
    assert rent == 57 * 30000
    assert [(line.source, line.amount_fen, line.agreement_id) for line in lines] == [
        ("tidal", rent, agreement.id)
    ] * PAID_MONTHS
    assert all(line.transfer_id for line in lines) and len({line.period for line in lines}) == PAID_MONTHS
    assert len(statements) == PAID_MONTHS - 1
    assert statements[0].opening == 0
    for before, after in itertools.pairwise(statements):
        assert before.closing == after.opening
    assert all(s.income == rent and s.expenses == 0 for s in statements)
    assert balance == statements[-1].closing + rent == PAID_MONTHS * rent
    assert cpu < 1.0, f"the tidal rent demo seed took {cpu:.2f} s of CPU"

    month = statements[-1].month.strftime("%Y-%m")
    page = client.get(f"/d/haishu/public/parking/estates/{estate_id}/statements/{month}")
    assert page.status_code == 200 and TOWER in page.text
