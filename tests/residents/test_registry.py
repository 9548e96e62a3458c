"""The registry under concurrency, and the functions plugins use (owners' electorate, members, vehicles)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from sqlalchemy import func, select

from core.db import create_engine, session_factory
from core.db.tenancy import for_district
from core.models import Person
from core.refusal import ConflictError
from core.residents import public, service

PARALLEL = 8


def _parallel(database_url, district_id, jobs):
    """Run each ``job(session)`` on its own connection and transaction, all at once; return results or errors."""

    async def main():
        engine = create_engine(database_url)
        factory = session_factory(engine)

        async def one(job):
            async with factory() as session:
                for_district(session, district_id)
                try:
                    result = await job(session)
                    await session.commit()
                    return result
                except Exception as exc:  # noqa: BLE001 - the test inspects what each writer got
                    await session.rollback()
                    return exc

        try:
            return await asyncio.gather(*(one(job) for job in jobs))
        finally:
            await engine.dispose()

    return asyncio.run(main())


def test_parallel_registration_of_the_same_person_makes_one(world, database_url, seed):
    """Eight desks registering the same caller (same name, the phone spelt differently) at once: one record, 409s."""
    spellings = ["13512345678", "135 1234 5678", "+86 13512345678", "135-1234-5678"] * 2

    def job(phone):
        async def create(session):
            return await service.create_person(session, world["district"], None, {"name": "并发张三", "phone": phone})

        return create

    results = _parallel(database_url, world["district"], [job(p) for p in spellings])
    created = [r for r in results if isinstance(r, Person)]
    refused = [r for r in results if isinstance(r, ConflictError)]
    assert len(created) == 1, results
    assert len(refused) == PARALLEL - 1, results
    assert all(r.status_code == 409 for r in refused)

    async def count(session):
        return (await session.execute(select(func.count(Person.id)).where(Person.name == "并发张三"))).scalar_one()

    assert seed(count) == 1


def test_parallel_households_floor_area_sum_is_exact(world, database_url, seed):
    """Eight households of 0.01–0.08 m² more recorded at once: the estate's total is the exact decimal sum."""

    def job(n):
        async def create(session):
            return await service.create_household(
                session,
                world["district"],
                {"estate_id": world["estate"], "building": "8", "room": f"{n}01", "area": f"10{n}.0{n}"},
            )

        return create

    results = _parallel(database_url, world["district"], [job(n) for n in range(1, PARALLEL + 1)])
    assert not [r for r in results if isinstance(r, Exception)], results
    expected = Decimal("89.55") + Decimal("76.32") + sum(Decimal(f"10{n}.0{n}") for n in range(1, PARALLEL + 1))

    async def total(session):
        for_district(session, world["district"])
        return await public.estate_floor_area(session, world["estate"])

    assert seed(total) == expected


def test_owners_electorate_for_votes(world, seed):
    """Owners of an estate for an owners' vote: each household once, exact area, co-owners together."""

    async def owners(session):
        for_district(session, world["district"])
        return await public.estate_owners(session, world["estate"])

    electorate = seed(owners)
    by_room = {o.address: o for o in electorate}
    assert set(by_room) == {"偃月小区 3幢 1单元 502室", "偃月小区 5幢 2单元 302室"}
    assert by_room["偃月小区 3幢 1单元 502室"].area == Decimal("76.32")
    assert by_room["偃月小区 3幢 1单元 502室"].owner_names == ("王建国", "孙秀英")
    assert sum((o.area for o in electorate), Decimal(0)) == Decimal("165.87")


def test_plugin_functions_find_people_members_and_plates(world, seed):
    """Plugins find everyone on a shared landline, a household's members (owners first) and its plates."""

    async def look(session):
        for_district(session, world["district"])
        people = await public.find_people_by_phone(session, "(0574)87351234")
        members = await public.household_members(session, world["second"])
        plates = await public.household_vehicles(session, world["first"])
        outside = await public.find_people_by_phone(session, "13900000000")
        return people, members, plates, outside

    people, members, plates, outside = seed(look)
    assert sorted(p.name for p in people) == ["孙秀英", "王建国"]
    assert [(m.name, m.relation) for m in members] == [("王建国", "owner"), ("孙秀英", "co_owner")]
    assert plates == ["浙B5G7H3"]
    assert outside == []  # the other district's person is not seen


def test_households_registered_in_bulk_join_the_electorate_and_a_login_finds_its_own(world, seed):
    """register_households adds households with their owner and cars (ids in order); households_of_user finds
    the households of the person linked to a login, owned first."""
    from core.models import User

    async def run(session):
        for_district(session, world["district"])
        rows = [
            public.NewHousehold("9", "1", "101", "60.00", "甲业主", "", ("浙B90001", "浙B90002")),
            public.NewHousehold("9", "1", "102", "70.50", "乙业主"),
        ]
        ids = await public.register_households(session, world["district"], world["estate"], rows)
        owners = await public.estate_owners(session, world["estate"])
        plates = await public.household_vehicles(session, ids[0])
        resident = (await session.execute(select(User).where(User.username == "resident"))).scalar_one()
        person = await session.get(Person, world["elder"])
        person.user_id = resident.id
        await session.flush()
        mine = await public.households_of_user(session, resident.id)
        return ids, owners, plates, mine

    ids, owners, plates, mine = seed(run)
    by_id = {o.household_id: o for o in owners}
    assert (by_id[ids[0]].area, by_id[ids[0]].owner_names) == (Decimal("60.00"), ("甲业主",))
    assert by_id[ids[1]].address == "偃月小区 9幢 1单元 102室"
    assert plates == ["浙B90001", "浙B90002"]
    assert [(h.household_id, h.relation) for h in mine] == [(world["second"], "owner")]
