"""Test data for the parking plugin (kept apart from conftest so tests can import it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from core.auth.tokens import create_token
from core.db import for_district
from core.models import District, Household, HouseholdMember, OrgUnitKind, Person
from core.plugins import PluginHost
from core.residents.public import NewHousehold, register_households
from core.services.enablement import enable_plugin
from core.testing.factories import make_district, make_org_unit, make_user
from plugins.parking import conventions, service

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# (building, room, m², owner, plates): the first is the resident user's household.
HOUSEHOLDS = (
    ("1", "101", "89.50", "王美华", ("浙B10001", "浙B10002", "浙B10003")),
    ("1", "102", "76.00", "李建国", ("浙B20001", "浙B20002")),
    ("2", "201", "102.30", "张秀英", ("浙B30001",)),
    ("2", "202", "65.80", "陈志强", ("浙B40001",)),
    ("3", "301", "120.00", "刘桂兰", ("浙B50001",)),
    ("3", "302", "58.40", "赵磊", ("浙B60001",)),
)


@dataclass
class World:
    """Ids and API tokens the tests need."""

    district: int
    yanyue: int  # the core estate (org unit)
    estate: int  # the parking estate
    households: list[int] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)


async def haishu(session: AsyncSession) -> District:
    district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
    for_district(session, district.id)
    return district


async def build_world(session: AsyncSession) -> World:
    host = PluginHost.load(None, entry_points=False)
    district = await make_district(session, "haishu", "海曙区", name_en="Haishu")
    street = await make_org_unit(session, district, "gulou", "鼓楼街道", OrgUnitKind.STREET)
    pingqiao = await make_org_unit(session, district, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, street)
    yanyue = await make_org_unit(session, district, "yanyue", "偃月小区", OrgUnitKind.ESTATE, pingqiao)
    await make_org_unit(session, district, "yinyue", "银月小区", OrgUnitKind.ESTATE, pingqiao)
    await enable_plugin(session, district, host, "parking")
    users = {
        "worker": await make_user(session, "worker", district=district, roles=("community_worker",), org_unit=pingqiao),
        "resident": await make_user(session, "resident", district=district, roles=("resident",)),
        "neighbour": await make_user(session, "neighbour", district=district, roles=("resident",)),
        "parking-chair": await make_user(session, "parking-chair", district=district, roles=("resident",)),
        "patroller": await make_user(session, "patroller", district=district, roles=("resident",)),
    }
    for_district(session, district.id)
    rows = [NewHousehold(b, "1", r, a, o, "", plates) for b, r, a, o, plates in HOUSEHOLDS]
    ids = await register_households(session, district.id, yanyue.id, rows)
    owner = (
        await session.execute(
            select(Person)
            .join(HouseholdMember, HouseholdMember.person_id == Person.id)
            .where(HouseholdMember.household_id == ids[0])
        )
    ).scalar_one()
    owner.user_id = users["resident"].id
    estate = await service.create_estate(session, district.id, yanyue.id)
    for code in ("P-01", "P-02", "P-03"):
        await service.add_space(session, estate, {"code": code, "kind": "pool"})
    await service.add_space(session, estate, {"code": "A-01", "kind": "accessible"})
    await service.add_member(
        session, estate, {"name": "周主任", "role": "chair", "term_from": "2026-01-01"}, users["parking-chair"].id
    )
    await service.add_member(
        session, estate, {"name": "吴巡查", "role": "patroller", "term_from": "2026-01-01"}, users["patroller"].id
    )
    world = World(district.id, yanyue.id, estate.id, ids, users={k: u.id for k, u in users.items()})
    for name, user in users.items():
        world.tokens[name], _ = await create_token(session, user, district.id, "tests")
    return world


async def adopt_convention(session: AsyncSession, world: World, **fields: Any) -> int:
    """Draft, vote (every household for, on paper entered by the worker) and adopt a convention; its id."""
    await haishu(session)
    estate = await service.estate_or_404(session, world.estate)
    data = {"title": "偃月小区停车公约", "body": "第一条 一户一车优先。", **fields}
    convention = await conventions.create_convention(session, estate, data, world.users["worker"])
    await conventions.put_to_vote(session, convention, user_id=world.users["worker"])
    for household in world.households:
        await conventions.cast(session, convention, household, "for", channel="paper", entered_by=world.users["worker"])
    await conventions.close(session, convention)
    assert convention.status == "adopted"
    return convention.id


async def add_households(session: AsyncSession, world: World, rows: list[tuple[str, tuple[str, ...]]]) -> list[int]:
    """More households in 偃月小区: (m², plates) each."""
    await haishu(session)
    data = [NewHousehold("9", "1", f"{900 + i}", area, f"住户{i}", "", plates) for i, (area, plates) in enumerate(rows)]
    return await register_households(session, world.district, world.yanyue, data)


async def household_count(session: AsyncSession, world: World) -> int:
    await haishu(session)
    return len((await session.execute(select(Household.id).where(Household.estate_id == world.yanyue))).all())


TODAY = date(2026, 12, 6)
