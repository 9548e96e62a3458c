"""Fixtures shared by the tests of hooks and of per-district enablement."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from core.models import District, OrgUnitKind
from core.plugins import PluginHost
from core.services.enablement import enable_plugin
from core.testing.apps import lease
from core.testing.factories import make_district, make_org_unit, make_user
from tests.plugins_for_tests import hello

__all__ = (
    "clear_plugin_caches", "district", "fresh_plugin_caches", "hello_app", "hello_client", "host", "two_districts",
)


def clear_plugin_caches() -> None:
    """Each test's fresh database reuses district ids, so drop the per-process caches keyed by them."""
    from core.plugins import enabled as enablement
    from core.rbac import invalidate

    enablement._cache.clear()
    invalidate()


@pytest.fixture(autouse=True)
def fresh_plugin_caches() -> Iterator[None]:
    clear_plugin_caches()
    yield
    clear_plugin_caches()


@pytest.fixture
def host() -> PluginHost:
    """The built-in plugins plus ``hello_test``."""
    return PluginHost.load(None, entry_points=False, extra_modules=(hello,))


@pytest.fixture
def hello_app(settings: Any, host: PluginHost) -> Any:
    return lease(settings, host)


@pytest.fixture
def hello_client(hello_app: Any) -> Iterator[TestClient[Any]]:
    with TestClient(app=hello_app) as client:
        yield client


async def district(session: Any, code: str) -> District:
    return (await session.execute(select(District).where(District.code == code))).scalar_one()


@pytest.fixture
def two_districts(seed: Any, host: PluginHost) -> None:
    """haishu and yinzhou with notices on in both; hello_test on in haishu only; a worker and a resident in each."""

    async def build(session: Any) -> None:
        haishu = await make_district(session, "haishu", "海曙区")
        yinzhou = await make_district(session, "yinzhou", "鄞州区")
        await make_org_unit(session, haishu, "pingqiao", "平桥社区", OrgUnitKind.COMMUNITY)
        for d in (haishu, yinzhou):
            await enable_plugin(session, d, host, "notices")
        await enable_plugin(session, haishu, host, "hello_test")
        await make_user(session, "worker", district=haishu, roles=("community_worker",))
        await make_user(session, "resident", district=haishu, roles=("resident",))
        await make_user(session, "yz-worker", district=yinzhou, roles=("community_worker",))
        # One person working in both districts, to compare them side by side.
        both = await make_user(session, "both", district=haishu, roles=("community_worker",))
        from core.models import Membership
        from core.rbac import bump_policy_version

        session.add(Membership(user_id=both.id, district_id=yinzhou.id, role_key="community_worker"))
        await session.flush()
        await bump_policy_version(session, yinzhou)

    seed(build)
