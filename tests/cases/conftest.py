"""A district with two communities and staff in each (``as_user`` and ``host``: core.testing.suite)."""

from __future__ import annotations

import pytest

from core.models import OrgUnitKind
from core.testing.factories import make_district, make_org_unit, make_user

RESIDENT_REQUEST = {
    "requester": "张阿姨",
    "phone": "13800138000",
    "address": "偃月小区 3 幢 201",
    "category": "environment",
    "description": "楼道垃圾无人清理",
}


@pytest.fixture
def world(seed):
    """海曙区: 鼓楼街道 → 平桥社区, 牡丹社区; worker and social in 平桥, social2 in 牡丹."""

    async def build(session):
        district = await make_district(session, "haishu", "海曙区", ref_prefix="HS")
        street = await make_org_unit(session, district, "gulou", "鼓楼街道", OrgUnitKind.STREET)
        pingqiao = await make_org_unit(session, district, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY, street)
        mudan = await make_org_unit(session, district, "mudan", "牡丹社区", OrgUnitKind.COMMUNITY, street)
        await make_user(session, "worker", district=district, roles=("community_worker",), org_unit=pingqiao)
        await make_user(session, "social", district=district, roles=("social_worker",), org_unit=pingqiao)
        await make_user(session, "social2", district=district, roles=("social_worker",), org_unit=mudan)
        await make_user(session, "resident", district=district, roles=("resident",))
        await make_user(session, "resident2", district=district, roles=("resident",))
        await make_user(session, "dadmin", district=district, roles=("district_admin",))
        return {"district_id": district.id, "pingqiao": pingqiao.id, "mudan": mudan.id}

    return seed(build)
