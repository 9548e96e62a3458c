"""Fixtures shared by the core's tests.

``backend`` runs every database test on SQLite and on PostgreSQL. Each test gets a
fresh database with every migration applied. The app is driven over HTTP with
Litestar's ``TestClient``; test data is written with the async helpers in
``tests/factories.py`` through :func:`seed`.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from litestar.testing import TestClient
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from core.app import create_app
from core.config import Settings
from core.db import create_engine, session_factory
from core.db.engine import is_sqlite
from core.testing.pgserver import PostgresNotFoundError, PostgresServer
from tests.factories import PASSWORD

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from sqlalchemy.ext.asyncio import AsyncSession

CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]+)"')


def selected_backends() -> list[str]:
    """The backends named in ``SANSHE_TEST_BACKENDS`` (comma list; default: both)."""
    raw = os.environ.get("SANSHE_TEST_BACKENDS", "sqlite,postgresql")
    names = [b.strip() for b in raw.split(",") if b.strip()]
    unknown = sorted(set(names) - set(ALL_BACKENDS))
    if unknown or not names:
        msg = f"SANSHE_TEST_BACKENDS={raw!r}: use a comma list of {', '.join(ALL_BACKENDS)}"
        raise pytest.UsageError(msg)
    return names


ALL_BACKENDS = ("sqlite", "postgresql")
BACKENDS = selected_backends()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on (``postgres_only`` tests skip SQLite)."""
    name = str(request.param)
    if name == "sqlite" and request.node.get_closest_marker("postgres_only"):
        pytest.skip("needs PostgreSQL")
    return name


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Iterator[None]:
    """Each test has a new database whose ids repeat; per-process caches keyed by id must not leak."""
    from core.cases.types import clear_cache as clear_definitions
    from core.plugins.enablement import clear_cache as clear_enablement
    from core.rbac import invalidate
    from core.workdays import forget as forget_calendars

    invalidate()
    forget_calendars()
    clear_enablement()
    clear_definitions()
    yield


@pytest.fixture(autouse=True, scope="session")
def _plugin_catalogs() -> None:
    """Every built-in plugin's translation domain, as ``create_app`` registers them, also for tests
    that never build the app (a plugin's service raising its own Chinese message)."""
    from core.i18n import add_locale_dir
    from core.plugins import PluginHost

    for plugin in PluginHost.load(None, entry_points=False).plugins:
        if plugin.locale_dir:
            add_locale_dir(plugin.locale_dir, domain=plugin.key, package=plugin.package)


@pytest.fixture(autouse=True, scope="session")
def _one_event_loop_per_connection() -> Iterator[None]:
    """Apps built in tests open PostgreSQL connections without pooling them (``NullPool``).

    Every ``TestClient`` runs the app in an event loop of its own thread, and tests may
    hold several clients of one app at once; an asyncpg connection belongs to the loop
    that opened it, and handing it to another loop from a shared pool corrupts it (it
    crashed the interpreter). SQLAlchemy's advice for engines used from several event
    loops is ``NullPool``. SQLite (aiosqlite runs each connection in its own thread) keeps
    the production engine.
    """
    import core.app as app_module

    original = app_module.create_engine

    def create_engine_for_tests(url: str, **kwargs: Any) -> Any:
        if is_sqlite(url):
            return original(url, **kwargs)
        return create_async_engine(url, poolclass=NullPool)

    app_module.create_engine = create_engine_for_tests  # type: ignore[assignment]
    try:
        yield
    finally:
        app_module.create_engine = original  # type: ignore[assignment]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test session (Debian's binaries; fails loudly when missing)."""
    try:
        server = PostgresServer()
    except PostgresNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def _migrate(url: str) -> None:
    from core.db.migrate import upgrade_all
    from core.plugins import PluginHost

    # The same plugins the ``app`` fixture loads (Settings.allowed_plugins is None).
    await upgrade_all(url, host=PluginHost.load(None))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file with every migration applied, made once per session and copied per test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server: PostgresServer) -> str:
    """The name of a PostgreSQL database with every migration applied, cloned per test."""
    name = "sanshe_template"
    _pg_admin(postgres_server, f'CREATE DATABASE "{name}"')
    asyncio.run(_migrate(postgres_server.url(name)))
    return name


def _pg_admin(server: PostgresServer, *statements: str) -> None:
    import asyncpg

    async def run() -> None:
        conn = await asyncpg.connect(server.dsn())
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run())


_counter = itertools.count(1)
_creation_times: dict[str, list[float]] = {}


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh, fully migrated database for one test (a copy of the session's migrated template)."""
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        started = time.perf_counter()
        path = tmp_path / "test.db"
        shutil.copyfile(template, path)
        _creation_times.setdefault(backend, []).append(time.perf_counter() - started)
        yield f"sqlite+aiosqlite:///{path}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    template_name: str = request.getfixturevalue("postgres_template")
    started = time.perf_counter()
    name = f"test_{os.getpid()}_{next(_counter)}"
    _pg_admin(server, f'CREATE DATABASE "{name}" TEMPLATE "{template_name}" STRATEGY = FILE_COPY')
    _creation_times.setdefault(backend, []).append(time.perf_counter() - started)
    try:
        yield server.url(name)
    finally:
        _pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A fresh database with no tables at all (for tests of the migrations themselves)."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"empty_{os.getpid()}_{next(_counter)}"
    _pg_admin(server, f'CREATE DATABASE "{name}"')
    try:
        yield server.url(name)
    finally:
        _pg_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Report how long making each test's database took, per backend."""
    for backend, times in sorted(_creation_times.items()):
        ms = sorted(t * 1000 for t in times)
        terminalreporter.write_line(
            f"per-test database ({backend}): {len(ms)} made, median {statistics.median(ms):.1f} ms, max {ms[-1]:.1f} ms"
        )


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
