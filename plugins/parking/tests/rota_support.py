"""Test data for the rota: more patrollers with API tokens, shifts written at any time (past or under way)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from core.auth.tokens import create_token
from core.testing.factories import make_user
from plugins.parking import service
from plugins.parking.models_rota import PatrolShift, ShiftAssignment
from plugins.parking.tests.support import World, haishu

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

API = "/api/v1/districts/haishu/parking"


def auth(world: World, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


async def _patrollers(session: AsyncSession, world: World, names: list[str]) -> list[int]:
    district = await haishu(session)
    estate = await service.estate_or_404(session, world.estate)
    ids = []
    for name in names:
        user = await make_user(session, name, district=district, roles=("resident",))
        await service.add_member(
            session, estate, {"name": name, "role": "patroller", "term_from": "2026-01-01"}, user.id
        )
        world.users[name] = user.id
        world.tokens[name], _ = await create_token(session, user, district.id, "tests")
        ids.append(user.id)
    return ids


def add_patrollers(seed, world: World, names: list[str]) -> list[int]:
    """More patrollers of the estate (users with a token each); their ids."""
    return seed(lambda s: _patrollers(s, world, names))


def put_shift(seed, world: World, begins: datetime, hours: float, on: tuple[str, ...] = (), needed: int = 2) -> int:
    """A shift written straight to the table (any time, also past), with ``on`` in its places; its id."""

    async def run(session: AsyncSession) -> int:
        district = await haishu(session)
        shift = PatrolShift(
            district_id=district.id,
            parking_estate_id=world.estate,
            starts_at=begins,
            ends_at=begins + timedelta(hours=hours),
            area="测试区域",
            needed=needed,
        )
        session.add(shift)
        await session.flush()
        for seat, name in enumerate(on, start=1):
            session.add(
                ShiftAssignment(
                    district_id=district.id,
                    shift_id=shift.id,
                    parking_estate_id=world.estate,
                    patroller_id=world.users[name],
                    patroller_name=name,
                    seat=seat,
                    starts_at=shift.starts_at,
                    ends_at=shift.ends_at,
                )
            )
        await session.flush()
        return shift.id

    return seed(run)


def count(seed, model, *where) -> int:
    async def run(session: AsyncSession) -> int:
        await haishu(session)
        return int((await session.execute(select(func.count()).select_from(model).where(*where))).scalar_one())

    return seed(run)
