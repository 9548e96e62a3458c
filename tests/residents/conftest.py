"""A district with an estate, two others, staff of every role and a few recorded people."""

from __future__ import annotations

from typing import Any

import pytest

from core.db.tenancy import for_district
from core.models import OrgUnitKind
from core.residents import service
from tests.conftest import csrf_of, login
from tests.factories import make_district, make_org_unit, make_user

ROLES = {
    "district-admin": "district_admin",
    "worker": "community_worker",
    "social": "social_worker",
    "volunteer": "volunteer",
    "resident": "resident",
}
OWNER_ID = "330203196203150425"


@pytest.fixture
def world(seed) -> dict[str, Any]:
    """海曙区 with 偃月小区 (two households, owners, areas, a car), 鄞州区 with its own person; users by role."""
    ids: dict[str, Any] = {}

    async def data(session):
        district = await make_district(session)
        other = await make_district(session, "yinzhou", "鄞州区")
        street = await make_org_unit(session, district, "gulou", "鼓楼街道", OrgUnitKind.STREET)
        community = await make_org_unit(session, district, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, street)
        estate = await make_org_unit(session, district, "yanyue", "偃月小区", OrgUnitKind.ESTATE, community)
        for username, role in ROLES.items():
            await make_user(session, username, district=district, roles=(role,))
        await make_user(session, "yz-admin", district=other, roles=("district_admin",))
        for_district(session, district.id)
        owner = await service.create_person(
            session,
            district.id,
            None,
            {"name": "黄美华", "phone": "13777812345", "id_number": OWNER_ID, "consent_method": "written"},
        )
        elder = await service.create_person(session, district.id, None, {"name": "王建国", "phone": "0574-87351234"})
        wife = await service.create_person(session, district.id, None, {"name": "孙秀英", "phone": "0574-87351234"})
        first = await service.create_household(
            session, district.id, {"estate_id": estate.id, "building": "5", "unit": "2", "room": "302", "area": "89.55"}
        )
        second = await service.create_household(
            session, district.id, {"estate_id": estate.id, "building": "3", "unit": "1", "room": "502", "area": "76.32"}
        )
        await service.add_member(session, district.id, first, owner.id, "owner")
        await service.add_member(session, district.id, second, elder.id, "owner")
        await service.add_member(session, district.id, second, wife.id, "co_owner")
        await service.add_vehicle(session, district.id, "浙b5g7h3", person_id=owner.id, household_id=first.id)
        for_district(session, other.id)
        stranger = await service.create_person(session, other.id, None, {"name": "外区人", "phone": "13900000000"})
        for_district(session, None)
        ids.update(
            district=district.id,
            other=other.id,
            estate=estate.id,
            owner=owner.id,
            elder=elder.id,
            wife=wife.id,
            first=first.id,
            second=second.id,
            stranger=stranger.id,
        )

    seed(data)
    return ids


@pytest.fixture
def as_role(client):
    """Log the client in as one of the seeded users; returns it with its CSRF header set."""

    def go(username: str):
        client.cookies.clear()
        client.headers.pop("x-csrftoken", None)
        login(client, username)
        client.headers["x-csrftoken"] = csrf_of(client, "/me")
        return client

    return go
