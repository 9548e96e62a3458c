"""Rules that depend on a count hold under parallel requests (a real server; both databases).

- one active incubation per organization and incubator (a partial unique index; SQLite's write lock)
- a desk is never given to two organizations for overlapping periods (the space's row lock / the write lock)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.organizations import OrganizationInput, create_organization
from core.testing.browser import serve
from core.testing.races import Call, fire
from plugins.incubation import cases
from plugins.incubation.models import Allocation, Incubation
from plugins.incubation.tests.support import district, today

API = "/api/v1/districts/haishu/incubation"


def test_parallel_applications_open_one_incubation(app, world, seed):
    """10 applications for the same organization at once: one 201, nine 409, one active incubation stored."""
    calls = [
        Call(
            "POST",
            f"{API}/cases",
            json={"incubator_id": world.incubator, "organization_id": world.member},
            token=world.tokens["incubator"],
        )
        for _ in range(10)
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 9, [r.text[:200] for r in responses]
    assert "已有进行中的孵化" in next(r for r in responses if r.status_code == 409).json()["detail"]

    async def active(session: Any) -> int:
        query = select(func.count(Incubation.id)).where(
            Incubation.organization_id == world.member, Incubation.active.is_(True)
        )
        return (await session.execute(query)).scalar_one()

    assert seed(active) == 1


def test_parallel_desk_allocations_give_the_desk_once(app, world, seed, as_user):
    """10 organizations ask for desk D-1 from today at the same moment: one gets it, nine are told it is taken."""

    async def orgs(session: Any) -> list[int]:
        haishu = await district(session)
        return [
            (await create_organization(session, haishu, OrganizationInput(name=f"抢工位团队{i}", kind="informal"))).id
            for i in range(10)
        ]

    org_ids = seed(orgs)

    async def apply_all(ctx: Any) -> list[int]:
        return [(await cases.apply(ctx, {"incubator_id": world.incubator, "organization_id": o})).id for o in org_ids]

    incubations = as_user("incubator", apply_all)
    desk = world.desks[0]
    calls = [
        Call(
            "POST",
            f"{API}/cases/{i}/allocations",
            json={"space_id": desk, "starts_on": today().isoformat()},
            token=world.tokens["incubator"],
        )
        for i in incubations
    ]
    with serve(app) as url:
        responses = fire(url, calls)
    codes = sorted(r.status_code for r in responses)
    assert codes == [201] + [409] * 9, [r.text[:200] for r in responses]
    assert "已分配" in next(r for r in responses if r.status_code == 409).json()["detail"]

    async def held(session: Any) -> int:
        return (
            await session.execute(select(func.count(Allocation.id)).where(Allocation.space_id == desk))
        ).scalar_one()

    assert seed(held) == 1
