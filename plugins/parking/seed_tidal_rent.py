"""Demo data of 塘桥's tidal rent: the office tower next door pays for the estate's spaces by day, into the fund.

塘桥小区 (seeded by :func:`~plugins.parking.seed.seed_parking` with its 30 signed tidal
agreements and space ``T-01`` shared by 光大厦 by day, 08:30–17:00 on workdays, and by the
residents at night) gets its fund on the core ledger and a committee run under the
community's supervision by the demo's chair and treasurer. The tower's rent (its
agreement's price × spaces, each month) is recorded by the treasurer as tidal income —
one ledger transfer and one fund line per month — for the three months before this one
(published, with their SHA-256) and this month (on the open statement). Rent goes through
:func:`plugins.parking.money.record_income`, so it is exactly what the committee's money
page would record. Idempotent: nothing when 塘桥 already has a fund. A handful of
statements; well under a second.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import OrgUnit, User
from plugins.parking import money, service
from plugins.parking.models import ParkingEstate, TidalAgreement
from plugins.parking.models_money import ParkingFund
from plugins.parking.seed import DEMO_USERS

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("PAID_MONTHS", "TOWER", "seed_tidal_rent")

TOWER = "光大厦（1 号点）"  # the office tower next door, holding T-01 by day
PAID_MONTHS = 4  # the three months before this one (published) and this one


async def seed_tidal_rent(session: AsyncSession, district: District) -> None:
    """塘桥's fund, committee and the tower's monthly rent (see the module's docstring)."""
    estate = (
        await session.execute(
            select(ParkingEstate)
            .join(OrgUnit, OrgUnit.id == ParkingEstate.estate_id)
            .where(OrgUnit.code == "tangqiao", OrgUnit.district_id == district.id)
        )
    ).scalar_one_or_none()
    if estate is None or await session.scalar(select(ParkingFund.id).where(ParkingFund.parking_estate_id == estate.id)):
        return
    agreement = (
        await session.execute(
            select(TidalAgreement).where(
                TidalAgreement.parking_estate_id == estate.id,
                TidalAgreement.partner == TOWER,
                TidalAgreement.status == "signed",
            )
        )
    ).scalar_one_or_none()
    found = {
        u.username: u
        for u in (
            await session.execute(select(User).where(User.username.in_([n for n, _d, _r in DEMO_USERS])))
        ).scalars()
    }
    users = {role: found[name] for name, _d, role in DEMO_USERS if name in found and role != "patroller"}
    if agreement is None or len(users) < 2:
        return
    today = money.today()
    current = money.month_of(today)
    first = current
    for _ in range(PAID_MONTHS - 1):
        before = money.previous_month(first)
        if before < money.month_of(agreement.term_from):
            break
        first = before
    estate.note = "潮汐式停车：白天把车位共享给隔壁写字楼，晚上留给居民；协议由社区居委会监督签订，租金进入社区基金。"
    for role, user in users.items():
        await service.add_member(
            session, estate, {"name": user.display_name.split()[-1], "role": role, "term_from": first}, user.id
        )
    await money.ensure_fund(session, estate, first_month=first)
    treasurer = users["treasurer"].id
    month = first
    while month <= current:
        day = min(today, month.replace(day=3))
        await money.record_income(
            session,
            estate,
            {"source": "tidal", "agreement_id": agreement.id, "period": month.strftime("%Y-%m")},
            by=treasurer,
            on=day,
        )
        if month < current:
            await money.publish(
                session, estate, month, by=treasurer, estate_name="塘桥小区", on=money.next_month(month)
            )
        month = money.next_month(month)
