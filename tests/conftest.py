"""Fixtures shared by the core's tests.

``backend`` runs every database test on SQLite and on PostgreSQL. Each test gets a
fresh database with every migration applied. The app is driven over HTTP with
Litestar's ``TestClient``; test data is written with the async helpers in
``tests/factories.py`` through :func:`seed`.
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

import pytest
from litestar.testing import TestClient

from core.app import create_app
from core.config import Settings
from core.db import create_engine, metadata, session_factory
from tests.factories import PASSWORD

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator
    from pathlib import Path

    from sqlalchemy.ext.asyncio import AsyncSession

CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


@pytest.fixture(params=["sqlite"])
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path) -> str:
    """A fresh, fully migrated database for one test."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"

    async def create() -> None:
        import core.models  # noqa: F401

        engine = create_engine(url)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        await engine.dispose()

    asyncio.run(create())
    return url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, secret_key="test-secret", var_dir=tmp_path / "var")


@pytest.fixture
def seed(database_url: str) -> Callable[[Callable[[AsyncSession], Awaitable[Any]]], Any]:
    """``seed(async_fn)`` runs ``async_fn(session)`` against the test database and commits."""

    def run(func: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        async def runner() -> Any:
            engine = create_engine(database_url)
            try:
                async with session_factory(engine)() as session:
                    result = await func(session)
                    await session.commit()
                    return result
            finally:
                await engine.dispose()

        return asyncio.run(runner())

    return run


@pytest.fixture
def app(settings: Settings) -> Any:
    return create_app(settings)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient[Any]]:
    with TestClient(app=app) as test_client:
        yield test_client


def csrf_of(client: TestClient[Any], path: str = "/login") -> str:
    """The CSRF token a page hands out (forms post it back as ``_csrf_token``)."""
    response = client.get(path)
    match = CSRF_RE.search(response.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def login(client: TestClient[Any], username: str, password: str = PASSWORD) -> TestClient[Any]:
    """Log ``client`` in through the real login form; fails the test if it does not work."""
    token = csrf_of(client)
    response = client.post(
        "/login", data={"username": username, "password": password, "_csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return client
