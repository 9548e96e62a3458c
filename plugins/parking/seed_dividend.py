"""Demo data: 东大街西里's year-end dividend (voted and paid), a renewal waiting, a car reported by a resident.

- 东大街西里: the committee proposed a 2,000-yuan year-end dividend split by floor area; the
  owners voted door to door (22 for, 1 against, 1 abstaining); the treasurer paid it this
  month — 24 shares of 83.33 or 83.34 yuan summing to the one fund line.
- ``resident-2`` (王建华, 东大街西里 1-1-0101, card D-0001) asked to renew the card: waiting for the committee.
- The core demo's ``resident`` (偃月小区) reported a car on the fire lane with a photo: waiting for a patroller.

Photos of the demo are generated (``demo/…`` keys), so seeding writes no files.
"""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from core.plugin_api import OrgUnit, User, residents, utcnow, votes
from plugins.parking import dividend
from plugins.parking.models import ParkingEstate, Permit
from plugins.parking.models_dividend import CarReport, Dividend, Renewal
from plugins.parking.seed import _user

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.plugin_api import District

__all__ = ("demo_photo", "seed_dividend")


def demo_photo() -> bytes:
    """A small grey PNG standing in for a demo photo."""
    width, height = 64, 48
    raw = b"".join(b"\x00" + b"\x9a\x9a\x9a" * width for _ in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


async def _estate(session: AsyncSession, district: District, code: str) -> ParkingEstate | None:
    unit = (
        await session.execute(select(OrgUnit.id).where(OrgUnit.code == code, OrgUnit.district_id == district.id))
    ).scalar_one_or_none()
    if unit is None:
        return None
    return (await session.execute(select(ParkingEstate).where(ParkingEstate.estate_id == unit))).scalar_one_or_none()


async def _login(session: AsyncSession, username: str) -> User | None:
    return (await session.execute(select(User).where(User.username == username))).scalar_one_or_none()


async def seed_dividend(session: AsyncSession, district: District) -> None:
    """After the money and patrols seeds; idempotent (nothing when 东大街西里 already has a dividend)."""
    dongdajie = await _estate(session, district, "dongdajiexili")
    chair, treasurer = await _login(session, "parking-chair"), await _login(session, "parking-treasurer")
    if dongdajie is None or chair is None or treasurer is None:
        return
    if (await session.execute(select(Dividend.id).where(Dividend.parking_estate_id == dongdajie.id))).first():
        return
    row = await dividend.propose(
        session,
        dongdajie,
        {"title": "年终结余分红（每户一桶食用油）", "amount_yuan": "2000.00", "method": "area"},
        by=chair.id,
    )
    assert row.vote_id is not None
    voters = sorted(v.voter_ref for v in await votes.electorate(session, row.vote_id))
    choices = ["for"] * (len(voters) - 2) + ["against", "abstain"]
    await votes.enter_ballots(
        session, row.vote_id, list(zip(voters, choices, strict=True)), channel="door_to_door", entered_by_id=chair.id
    )
    await dividend.close(session, row)
    await dividend.pay(session, row, dongdajie, by=treasurer.id)

    # A resident of 东大街西里 asks to renew card D-0001.
    card = (
        await session.execute(
            select(Permit).where(Permit.parking_estate_id == dongdajie.id, Permit.card_no == "D-0001")
        )
    ).scalar_one_or_none()
    people = await residents.find_people_by_phone(session, "13905740000") if card is not None else []
    owner = people[0] if people else None
    if card is not None and owner is not None:
        unit = await session.get(OrgUnit, dongdajie.estate_id)
        home = unit.parent_id if unit is not None and unit.parent_id else dongdajie.estate_id
        login = await _user(session, district, home, "resident-2", "居民 王建华")
        owner.user_id = owner.user_id or login.id
        session.add(
            Renewal(
                district_id=district.id,
                parking_estate_id=dongdajie.id,
                permit_id=card.id,
                requested_by=login.id,
                requested_at=utcnow() - timedelta(hours=5),
                valid_to_before=card.valid_to,
            )
        )

    # The core demo's resident reports a car on 偃月小区's fire lane.
    yanyue = await _estate(session, district, "yanyue")
    resident = await _login(session, "resident")
    if yanyue is not None and resident is not None:
        session.add(
            CarReport(
                district_id=district.id,
                parking_estate_id=yanyue.id,
                plate="浙B5Q7R1",
                place="6 号楼旁消防通道",
                observed_at=utcnow() - timedelta(minutes=40),
                description="堵住消防通道，已停了一整晚",
                photo_key="demo/parking-report-fire-lane.png",
                photo_name="fire-lane.png",
                photo_type="image/png",
                reported_by=resident.id,
            )
        )
    await session.flush()
