"""Test data for patrols: an issued card for the resident's first car, a second patroller, a tiny photo."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from core.auth.tokens import create_token
from core.plugin_api import TIMEZONE, utcnow
from core.testing.factories import make_user
from plugins.parking import permits, service
from plugins.parking.tests.support import World, adopt_convention, haishu

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

API = "/api/v1/districts/haishu/parking"
PLATE = "浙B10001"  # the resident's first car (household 1-101)
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32).decode()


def auth(world: World, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def ago(days: float) -> str:
    """An ISO time ``days`` ago (local time)."""
    return (utcnow() - timedelta(days=days)).astimezone(TIMEZONE).isoformat()


async def _prepare(session: AsyncSession, world: World) -> int:
    """Adopt the convention, issue the resident's card for 浙B10001, add a second patroller; the permit's id."""
    await adopt_convention(session, world)
    district = await haishu(session)
    permit = await permits.apply(session, world.estate, world.households[0], PLATE, channel="window", user_id=None)
    await permits.approve(session, permit.id, None)
    await permits.issue(session, permit.id, None)
    witness = await make_user(session, "patroller-2", district=district, roles=("resident",))
    estate = await service.estate_or_404(session, world.estate)
    await service.add_member(
        session, estate, {"name": "郑巡查", "role": "patroller", "term_from": "2026-01-01"}, witness.id
    )
    world.users["patroller-2"] = witness.id
    world.tokens["patroller-2"], _ = await create_token(session, witness, district.id, "tests")
    return permit.id


def prepare(seed, world: World) -> int:
    return seed(lambda s: _prepare(s, world))


def report(client, world: World, *, when: str | None = None, photo: bool = True, witness: bool = False, plate=PLATE):
    body: dict[str, object] = {"plate": plate, "place": "6 幢消防通道", "description": "占用消防通道"}
    if when:
        body["observed_at"] = when
    if photo:
        body |= {"photo_name": "car.png", "photo_base64": PNG}
    if witness:
        body["witness_id"] = world.users["patroller-2"]
    return client.post(f"{API}/estates/{world.estate}/violations", json=body, headers=auth(world, "patroller"))


def local_now() -> datetime:
    return utcnow().astimezone(TIMEZONE)
