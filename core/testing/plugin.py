"""The ``sanshe`` pytest plugin: fixtures for testing a Sanshe plugin against a real app.

Registered through the ``pytest11`` entry point of the ``sanshe`` distribution, so it is
active wherever ``sanshe`` is installed. Every fixture name starts with ``sanshe_``; none
is autouse, so projects that do not ask for them are left alone.

Choosing what runs:

- plugins: ``sanshe_plugins = ["canteen"]`` under ``[tool.pytest.ini_options]``, or
  ``@pytest.mark.sanshe_plugins("canteen", "notices")`` on a test (keys of installed
  plugins; a plugin's dependencies must be listed too). Only these plugins are loaded.
- database: SQLite by default; ``--sanshe-db=postgresql`` (or ``both``), the ini option
  ``sanshe_db``, or ``@pytest.mark.sanshe_db("postgresql")`` on a test.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

import pytest

from core.testing.databases import BACKENDS, Databases
from core.testing.factory import DistrictRef, Factory
from core.testing.gcpace import GcPacer
from core.testing.runner import dispose_setup_engines
from core.testing.web import login

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from litestar import Litestar
    from litestar.testing import TestClient

    from core.config import Settings
    from core.plugins import PluginHost

__all__ = ()

_hosts: dict[frozenset[str], PluginHost] = {}
_gc_pacer = GcPacer()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sanshe", "Sanshe plugin test kit (core.testing)")
    group.addoption(
        "--sanshe-db",
        choices=(*BACKENDS, "both"),
        default=None,
        help="database of the sanshe_* fixtures: sqlite (default), postgresql, or both (each test twice)",
    )
    parser.addini("sanshe_plugins", type="args", default=[], help="plugin keys the sanshe_* fixtures enable")
    parser.addini("sanshe_db", default="sqlite", help="default of --sanshe-db")
    parser.addini(
        "sanshe_fast_passwords",
        type="bool",
        default=True,
        help="hash passwords with the cheapest argon2id parameters in tests (core.testing.passwords)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sanshe_plugins(*keys): the plugins enabled for this test (overrides the ini)")
    config.addinivalue_line("markers", "sanshe_db(backend): run this test only on 'sqlite' or 'postgresql'")
    config.addinivalue_line("markers", "xdist_group(name): run these tests on one pytest-xdist worker")
    from core.db.engine import share_compilation  # noqa: PLC0415

    share_compilation()  # each test's engine compiles no statement an earlier test's compiled
    if config.getini("sanshe_fast_passwords"):
        from core.testing.passwords import use_fast_hashing  # noqa: PLC0415

        use_fast_hashing()


@pytest.hookimpl(hookwrapper=True)
def pytest_collection(session: pytest.Session) -> Iterator[None]:
    """Collect with the collector paused, then freeze what collection made (:mod:`core.testing.gcpace`).

    A wrapper, not configure/collection_finish: pytest-xdist's controller process collects
    nothing (its workers do) and never reaches ``pytest_collection_finish``.
    """
    from core.long_lived import long_lived_objects  # noqa: PLC0415

    with long_lived_objects():
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """After each test, pace the garbage collector (:mod:`core.testing.gcpace`)."""
    yield
    _gc_pacer.test_done()


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups (--dist loadgroup)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep a module's tests on one xdist worker when they share a module-scoped fixture.

    A live server with a seeded database or a browser is made once per module; split over
    workers it would be made once per worker, and a worker running other modules in
    between would tear it down and start it again. Tests with an ``xdist_group`` of their
    own keep it.
    """
    for item in items:
        if item.get_closest_marker("xdist_group") is not None:
            continue
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        scopes = {d.scope for defs in info.name2fixturedefs.values() for d in defs}
        module = getattr(item, "module", None)
        if scopes & {"module", "class", "package"} and module is not None:
            item.add_marker(pytest.mark.xdist_group(f"module:{module.__name__}"))


def _backends(config: pytest.Config, node: Any) -> list[str]:
    marker = node.get_closest_marker("sanshe_db")
    if marker is not None:
        return [str(marker.args[0])]
    chosen = config.getoption("--sanshe-db") or config.getini("sanshe_db") or "sqlite"
    return list(BACKENDS) if chosen == "both" else [str(chosen)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "sanshe_backend" in metafunc.fixturenames:
        backends = _backends(metafunc.config, metafunc.definition)
        if len(backends) > 1:
            metafunc.parametrize("sanshe_backend", backends, indirect=True)


# -- what runs ------------------------------------------------------------------------------


@pytest.fixture
def sanshe_backend(request: pytest.FixtureRequest) -> str:
    """``"sqlite"`` or ``"postgresql"``: the database of this test."""
    param = getattr(request, "param", None)
    return str(param) if param else _backends(request.config, request.node)[0]


@pytest.fixture
def sanshe_plugins(request: pytest.FixtureRequest) -> tuple[str, ...]:
    """The keys of the plugins installed in the app and enabled in ``sanshe_district``."""
    marker = request.node.get_closest_marker("sanshe_plugins")
    keys = marker.args if marker is not None else request.config.getini("sanshe_plugins")
    return tuple(str(k) for k in keys)


@pytest.fixture
def sanshe_host(sanshe_plugins: tuple[str, ...]) -> PluginHost:
    """The plugin host with the core and exactly ``sanshe_plugins`` (built-in or entry point)."""
    from core.plugins import PluginHost  # noqa: PLC0415

    wanted = frozenset(sanshe_plugins)
    host = _hosts.get(wanted)
    if host is None:
        host = PluginHost.load(wanted)
        missing = sorted(wanted - set(host.installed))
        if missing:
            pytest.fail(
                f"未安装的插件 / plugins not installed: {', '.join(missing)} — install the plugin into this "
                "environment first (`pip install -e .` in its directory)",
                pytrace=False,
            )
        _hosts[wanted] = host
    host.register_catalogs()  # as create_app does, so messages are translated without an app too
    return host


# -- database, settings, app --------------------------------------------------------------------


@pytest.fixture(scope="session")
def _sanshe_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    databases = Databases(tmp_path_factory.mktemp("sanshe-kit"))
    try:
        yield databases
    finally:
        databases.close()


def _clear_process_caches() -> None:
    """Each test's database reuses ids; caches keyed by them must not leak between tests."""
    from core.cases.types import clear_cache as clear_definitions  # noqa: PLC0415
    from core.plugins.enabled import clear_cache as clear_enablement  # noqa: PLC0415
    from core.rbac import invalidate  # noqa: PLC0415
    from core.workdays import forget as forget_calendars  # noqa: PLC0415

    invalidate()
    forget_calendars()
    clear_enablement()
    clear_definitions()


@pytest.fixture
def sanshe_database_url(
    sanshe_backend: str, sanshe_host: PluginHost, _sanshe_databases: Databases, tmp_path: Path
) -> Iterator[str]:
    """A fresh database for this test with the core's and the plugins' migrations applied."""
    try:
        url = _sanshe_databases.create(sanshe_backend, sanshe_host, tmp_path)
    except Exception as exc:  # noqa: BLE001 - say which database could not be made
        pytest.fail(f"could not make a {sanshe_backend} test database: {exc}", pytrace=False)
    _clear_process_caches()
    try:
        yield url
    finally:
        _clear_process_caches()
        dispose_setup_engines()
        _sanshe_databases.drop(url)


@pytest.fixture
def sanshe_settings(sanshe_database_url: str, sanshe_plugins: tuple[str, ...], tmp_path: Path) -> Settings:
    """Settings of the test app: the test database, a fixed secret, ``var/`` in ``tmp_path``."""
    from core.config import Settings  # noqa: PLC0415

    return Settings(
        database_url=sanshe_database_url,
        secret_key="sanshe-test-secret",  # noqa: S106 - a test secret
        var_dir=tmp_path / "var",
        allowed_plugins=frozenset(sanshe_plugins),
    )


def make_app(settings: Settings, host: PluginHost) -> Litestar:
    """The app for ``settings`` until the end of the test (built once per process: :mod:`core.testing.apps`).

    On PostgreSQL its engine pools each event loop's connections apart (each TestClient has its own loop).
    """
    from core.testing.apps import lease  # noqa: PLC0415

    return lease(settings, host)


@pytest.fixture(autouse=True)
def _sanshe_apps_back_to_the_pool() -> Iterator[None]:
    """The apps a test leased go back to the pool when the test's other fixtures are done."""
    yield
    from core.testing.apps import release_all  # noqa: PLC0415

    release_all()


@pytest.fixture
def sanshe_app(sanshe_settings: Settings, sanshe_host: PluginHost) -> Litestar:
    """The Litestar app with the core and ``sanshe_plugins``, on the test database."""
    return make_app(sanshe_settings, sanshe_host)


@pytest.fixture
def sanshe_client(sanshe_app: Litestar) -> Iterator[TestClient[Litestar]]:
    """An anonymous HTTP client of the app (``litestar.testing.TestClient``)."""
    from litestar.testing import TestClient  # noqa: PLC0415

    with TestClient(app=sanshe_app) as client:
        yield client


# -- data ---------------------------------------------------------------------------------------


@pytest.fixture
def sanshe_factory(
    sanshe_database_url: str, sanshe_settings: Settings, sanshe_host: PluginHost, sanshe_plugins: tuple[str, ...]
) -> Factory:
    """Makes districts, users, cases; enables plugins; changes settings; runs demo seeds."""
    return Factory(sanshe_database_url, sanshe_settings, sanshe_host, sanshe_plugins)


@pytest.fixture
def sanshe_district(sanshe_factory: Factory) -> DistrictRef:
    """海曙区 (``haishu``): 鼓楼街道 → 平桥社区, 牡丹社区, default roles, ``sanshe_plugins`` enabled."""
    return sanshe_factory.district()


@pytest.fixture
def sanshe_client_for(
    sanshe_settings: Settings, sanshe_host: PluginHost, sanshe_factory: Factory, sanshe_district: DistrictRef
) -> Iterator[Callable[..., TestClient[Litestar]]]:
    """``sanshe_client_for(role, district="haishu", org_unit=None)``: a client logged in as a user with ``role``.

    The user is called after the role (``community_worker``) in 海曙区, else
    ``<district>-<role>``. Each call returns a new client with its own cookies and its
    own app instance (one app's lifespan cannot be run twice at once).
    """
    from litestar.testing import TestClient  # noqa: PLC0415

    clients: list[TestClient[Litestar]] = []

    def client_for(
        role: str, district: str = sanshe_district.code, org_unit: str | None = None
    ) -> TestClient[Litestar]:
        username = role if district == sanshe_district.code else f"{district}-{role}"
        sanshe_factory.user(username, role=role, district=district, org_unit=org_unit)
        client = TestClient(app=make_app(sanshe_settings, sanshe_host))
        client.__enter__()
        clients.append(client)
        return login(client, username)

    try:
        yield client_for
    finally:
        for client in clients:
            with contextlib.suppress(Exception):
                client.__exit__(None, None, None)


@pytest.fixture
def sanshe_transition(sanshe_factory: Factory, sanshe_district: DistrictRef) -> Callable[..., str | None]:
    """``sanshe_transition(reference, key, as_user=..., data=None, reason="")`` → ``None`` or the refusal reason."""
    return sanshe_factory.transition


# -- a real server and a browser ----------------------------------------------------------------


@pytest.fixture
def sanshe_live_url(sanshe_settings: Settings, sanshe_host: PluginHost) -> Iterator[str]:
    """Base URL of the app served by uvicorn on a free 127.0.0.1 port (a thread of this process)."""
    from core.testing.browser import serve  # noqa: PLC0415

    with serve(make_app(sanshe_settings, sanshe_host)) as url:
        yield url


@pytest.fixture(scope="module")
def sanshe_browser() -> Iterator[Any]:
    """Debian's Chromium (``SANSHE_CHROMIUM`` or ``/usr/bin/chromium``), headless, through Playwright's sync API."""
    from core.testing.browser import launch_chromium  # noqa: PLC0415

    with launch_chromium() as browser:
        yield browser


@pytest.fixture
def sanshe_page(sanshe_browser: Any, sanshe_live_url: str) -> Iterator[Any]:
    """A fresh browser context (no cookies, zh-CN) and page whose relative URLs go to ``sanshe_live_url``."""
    context = sanshe_browser.new_context(locale="zh-CN", base_url=sanshe_live_url)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()
