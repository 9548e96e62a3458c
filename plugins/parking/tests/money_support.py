"""Test data of the parking fund: a treasurer on the committee, a signed tidal agreement, a card with a fee."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from core.auth.tokens import create_token
from core.testing.factories import make_user
from plugins.parking import service
from plugins.parking.models import ParkingEstate, TidalAgreement
from plugins.parking.tests.support import World, haishu

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

API = "/api/v1/districts/haishu/parking"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def add_treasurer_and_agreement(session: AsyncSession, world: World) -> int:
    """The treasurer (user ``parking-treasurer``) joins the committee; a signed agreement pays 2 × 300 yuan a month."""
    district = await haishu(session)
    user = await make_user(session, "parking-treasurer", district=district, roles=("resident",))
    estate = await session.get(ParkingEstate, world.estate)
    assert estate is not None
    await service.add_member(
        session, estate, {"name": "陈财务", "role": "treasurer", "term_from": "2026-01-01"}, user.id
    )
    world.users["parking-treasurer"] = user.id
    world.tokens["parking-treasurer"], _ = await create_token(session, user, district.id, "tests")
    agreement = TidalAgreement(
        district_id=district.id,
        parking_estate_id=estate.id,
        partner="光大厦",
        space_count=2,
        price_fen=30000,
        term_from=date(2026, 1, 1),
        term_to=date(2027, 12, 31),
        status="signed",
    )
    session.add(agreement)
    await session.flush()
    return agreement.id


def auth(world: World, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def request_expense(client, world: World, user: str, title: str, yuan: str, category: str = "gate"):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/estates/{world.estate}/expenses",
        data={"title": title, "category": category, "amount_yuan": yuan},
        files={"receipt": ("receipt.png", PNG, "image/png")},
        headers=auth(world, user),
    )


def collect_rent(client, world: World, agreement: int, period: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"{API}/estates/{world.estate}/fund/income",
        json={"source": "tidal", "agreement_id": agreement, "period": period},
        headers=auth(world, "parking-treasurer"),
    )
