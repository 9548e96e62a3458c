"""A district with two communities and staff in each, and a way to act as one of them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from core.models import District, OrgUnitKind, User
from core.plugins import PluginHost
from core.web.context import context_for
from tests.factories import make_district, make_org_unit, make_user

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from core.web.context import RequestContext

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


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.load(frozenset())


@pytest.fixture
def as_user(seed, settings, host) -> Callable[..., Any]:
    """``as_user(name, fn, code="haishu")`` runs ``await fn(ctx)`` as that user in that district, committed.

    ``ctx`` is built with the ``host`` fixture's plugins (none here; a plugin's conftest overrides ``host``).
    """

    def run(username: str, fn: Callable[[RequestContext], Awaitable[Any]], code: str = "haishu") -> Any:
        async def inner(session):
            user = (await session.execute(select(User).where(User.username == username))).scalar_one()
            district = (await session.execute(select(District).where(District.code == code))).scalar_one()
            ctx = await context_for(session, settings=settings, host=host, user=user, district=district)
            return await fn(ctx)

        return seed(inner)

    return run
