"""Fixtures for the consultation council's tests: the core's fixtures, a world with a council, ``as_user``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from sqlalchemy import select

from core.models import District, User
from core.plugins import PluginHost
from core.web.context import context_for
from plugins.consultation_council.tests.support import World, build_world
from tests.conftest import *  # noqa: F403 - the core's fixtures (database per backend, app, client, seed)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from core.web.context import RequestContext


@pytest.fixture(autouse=True, scope="session")
def _council_catalog() -> None:
    """The plugin's translations, also for tests that never build the app (which would add them)."""
    from core.i18n import add_locale_dir

    key = "consultation_council"
    add_locale_dir(Path(__file__).resolve().parents[1] / "locale", domain=key, package=f"plugins.{key}")


@pytest.fixture(autouse=True)
def _fresh_caches() -> Any:
    """Each test has a fresh database whose ids repeat, so drop the per-process caches keyed by them."""
    from core.cases.types import clear_cache
    from core.plugins import enablement
    from core.rbac import invalidate

    enablement._cache.clear()
    invalidate()
    clear_cache()
    yield
    enablement._cache.clear()
    invalidate()


@pytest.fixture
def host() -> PluginHost:
    return PluginHost.load(None, entry_points=False)


@pytest.fixture
def world(seed: Any) -> World:
    """海曙区 (鼓楼街道 → 平桥社区 → 偃月小区) with 平桥社区议事会 (five members, threshold 3); 鄞州区 with its own."""
    return seed(build_world)


@pytest.fixture
def as_user(seed, settings, host) -> Callable[..., Any]:
    """``as_user(name, fn)`` runs ``await fn(ctx)`` as that user (in 海曙区 unless ``code``), committed."""

    def run(username: str, fn: Callable[[RequestContext], Awaitable[Any]], code: str = "haishu") -> Any:
        async def inner(session):
            user = (await session.execute(select(User).where(User.username == username))).scalar_one()
            district = (await session.execute(select(District).where(District.code == code))).scalar_one()
            ctx = await context_for(session, settings=settings, host=host, user=user, district=district)
            return await fn(ctx)

        return seed(inner)

    return run
