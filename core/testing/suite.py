"""The fixtures of Sanshe's own suite: the core's tests and the built-in plugins' tests.

Loaded by the repository's root ``conftest.py`` (``pytest_plugins``), next to the
``sanshe_*`` kit of :mod:`core.testing.plugin`, and built on the same parts: the
databases of :class:`core.testing.databases.Databases` (one migrated template per
backend, a copy per test, one PostgreSQL server per process), the logins of
:mod:`core.testing.web` and the data helpers of :mod:`core.testing.factories`.

``backend`` runs every database test on SQLite and on PostgreSQL (``SANSHE_TEST_BACKENDS``
picks them; ``@pytest.mark.postgres_only`` skips SQLite). ``database_url`` is a fresh
database with every migration of the core and of all installed plugins; ``app`` and
``client`` drive it over HTTP; ``seed(async_fn)`` writes test data.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from core.testing.browser import CHROMIUM_ARGS, chromium_path
from core.testing.pgserver import PostgresNotFoundError, PostgresServer, free_port, shared_server
from core.testing.runner import dispose_setup_engines

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterator

    from litestar import Litestar
    from litestar.testing import TestClient
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.config import Settings
    from core.context import RequestContext
    from core.plugins import PluginHost
    from core.testing.databases import Databases
    from core.testing.pgbouncer import PgBouncer

__all__ = ("ALL_BACKENDS", "BACKENDS", "run_folder", "selected_backends")

# "pgbouncer": PostgreSQL through Debian's PgBouncer in transaction mode (core.testing.pgbouncer);
# not in the default selection — `make test` runs a part of the suite on it.
ALL_BACKENDS = ("sqlite", "postgresql", "pgbouncer")
ROOT = Path(__file__).resolve().parents[2]


def selected_backends() -> list[str]:
    """The backends named in ``SANSHE_TEST_BACKENDS`` (comma list; default: both)."""
    raw = os.environ.get("SANSHE_TEST_BACKENDS", "sqlite,postgresql")
    names = [b.strip() for b in raw.split(",") if b.strip()]
    unknown = sorted(set(names) - set(ALL_BACKENDS))
    if unknown or not names:
        msg = f"SANSHE_TEST_BACKENDS={raw!r}: use a comma list of {', '.join(ALL_BACKENDS)}"
        raise pytest.UsageError(msg)
    return names


BACKENDS = selected_backends()
_creation_times: dict[str, list[float]] = {}


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests using ``backend`` run on each selected backend; ``@pytest.mark.pgbouncer`` ones also through PgBouncer.

    The marked modules (cases, ledger, votes, jobs, the demo) run a third time on
    PostgreSQL behind PgBouncer in transaction mode whenever PostgreSQL is selected
    (``SANSHE_TEST_PGBOUNCER=0`` leaves that out); the rest of the suite does not.
    """
    if "backend" not in metafunc.fixturenames:
        return
    for marker in metafunc.definition.iter_markers("parametrize"):  # the test names its backends itself
        names = marker.args[0] if marker.args else marker.kwargs.get("argnames", "")
        if "backend" in ([n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)):
            return
    names = list(BACKENDS)
    if (
        metafunc.definition.get_closest_marker("pgbouncer")
        and "postgresql" in names
        and "pgbouncer" not in names
        and os.environ.get("SANSHE_TEST_PGBOUNCER", "1") != "0"
    ):
        names.append("pgbouncer")
    metafunc.parametrize("backend", names, indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Which database the test runs on (``postgres_only`` tests skip SQLite)."""
    name = str(request.param)
    if name == "sqlite" and request.node.get_closest_marker("postgres_only"):
        pytest.skip("needs PostgreSQL")
    return name


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Iterator[None]:
    """Each test has a new database whose ids repeat; per-process caches keyed by id must not leak."""
    from core.testing.plugin import _clear_process_caches  # noqa: PLC0415

    _clear_process_caches()
    yield


@pytest.fixture(autouse=True, scope="session")
def _plugin_catalogs() -> None:
    """Every built-in plugin's translation domain, as ``create_app`` registers them, also for tests
    that never build the app (a plugin's service raising its own Chinese message)."""
    from core.plugins import PluginHost  # noqa: PLC0415

    PluginHost.load(None, entry_points=False).register_catalogs()


@pytest.fixture(autouse=True, scope="session")
def _one_event_loop_per_connection() -> Iterator[None]:
    """Apps built in tests keep each event loop's PostgreSQL connections apart (:mod:`core.testing.loop_pool`).

    Every ``TestClient`` runs the app in an event loop of its own thread, and tests may
    hold several clients of one app at once; an asyncpg connection belongs to the loop
    that opened it. SQLite (aiosqlite runs each connection in its own thread) keeps the
    production engine.
    """
    import core.app as app_module  # noqa: PLC0415
    from core.db.engine import is_sqlite  # noqa: PLC0415
    from core.testing.loop_pool import LoopPool  # noqa: PLC0415

    original = app_module.create_engine

    def create_engine_for_tests(url: str, **kwargs: Any) -> Any:
        if is_sqlite(url):
            return original(url, **kwargs)
        return original(url, poolclass=LoopPool)

    app_module.create_engine = create_engine_for_tests  # type: ignore[assignment]
    try:
        yield
    finally:
        app_module.create_engine = original  # type: ignore[assignment]


@pytest.fixture(scope="session")
def postgres_server() -> PostgresServer:
    """This process's PostgreSQL server (Debian's binaries; fails loudly when missing)."""
    try:
        return shared_server()
    except PostgresNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def pgbouncer(postgres_server: PostgresServer) -> PgBouncer:
    """This process's PgBouncer (transaction mode) in front of its PostgreSQL server."""
    from core.testing.pgbouncer import PgBouncerNotFoundError, shared_pgbouncer  # noqa: PLC0415

    try:
        return shared_pgbouncer(postgres_server)
    except PgBouncerNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(scope="session")
def all_plugins_host() -> PluginHost:
    """Every installed plugin (built-in and entry points), as an app with default settings loads them."""
    from core.plugins import PluginHost  # noqa: PLC0415

    return PluginHost.load(None)


@pytest.fixture
def database_url(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, _sanshe_databases: Databases
) -> Iterator[str]:
    """A fresh database with every migration of the core and of all plugins (a copy of a migrated template)."""
    if backend != "sqlite":
        request.getfixturevalue("postgres_server")  # fails the test clearly when PostgreSQL is missing
    kind = "sqlite" if backend == "sqlite" else "postgresql"
    host: PluginHost = request.getfixturevalue("all_plugins_host")
    _sanshe_databases.template(kind, host)  # made once per process, not counted per test
    started = time.perf_counter()
    url = _sanshe_databases.create(kind, host, tmp_path)
    _creation_times.setdefault(backend, []).append(time.perf_counter() - started)
    try:
        if backend == "pgbouncer":
            monkeypatch: pytest.MonkeyPatch = request.getfixturevalue("monkeypatch")
            monkeypatch.setenv("SANSHE_DATABASE_POOLER", "pgbouncer")
            yield request.getfixturevalue("pgbouncer").url(url.rsplit("/", 1)[1])
        else:
            yield url
    finally:
        dispose_setup_engines()
        _sanshe_databases.drop(url)


@pytest.fixture
def empty_database_url(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest, _sanshe_databases: Databases
) -> Iterator[str]:
    """A fresh database with no tables at all (for tests of the migrations themselves)."""
    if backend == "postgresql":
        request.getfixturevalue("postgres_server")
    url = _sanshe_databases.create_empty(backend, tmp_path)
    try:
        yield url
    finally:
        _sanshe_databases.drop(url)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Report how long making each test's database took, per backend (serial runs: xdist workers keep theirs)."""
    for name, times in sorted(_creation_times.items()):
        ms = sorted(t * 1000 for t in times)
        terminalreporter.write_line(
            f"per-test database ({name}): {len(ms)} made, median {statistics.median(ms):.1f} ms, max {ms[-1]:.1f} ms"
        )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    from core.config import Settings  # noqa: PLC0415

    return Settings(database_url=database_url, secret_key="test-secret", var_dir=tmp_path / "var")  # noqa: S106


@pytest.fixture
def seed(database_url: str) -> Callable[[Callable[[AsyncSession], Awaitable[Any]]], Any]:
    """``seed(async_fn)`` runs ``async_fn(session)`` against the test database and commits.

    On the process's set-up loop, with the database's kept engine (core.testing.runner).
    """
    from core.testing.runner import committed  # noqa: PLC0415

    def run(func: Callable[[AsyncSession], Awaitable[Any]]) -> Any:
        return committed(database_url, func)

    return run


@pytest.fixture
def app(settings: Settings) -> Litestar:
    """The app on this test's database (built once per process: :mod:`core.testing.apps`)."""
    from core.testing.apps import lease  # noqa: PLC0415

    return lease(settings)


@pytest.fixture
def client(app: Litestar) -> Iterator[TestClient[Litestar]]:
    from litestar.testing import TestClient  # noqa: PLC0415

    with TestClient(app=app) as test_client:
        yield test_client


@pytest.fixture
def host() -> PluginHost:
    """The plugins ``as_user``'s contexts see: none (a plugin's conftest overrides it with its own)."""
    from core.plugins import PluginHost  # noqa: PLC0415

    return PluginHost.load(frozenset())


@pytest.fixture
def as_user(seed: Any, settings: Settings, host: PluginHost) -> Callable[..., Any]:
    """``as_user(name, fn, code="haishu")`` runs ``await fn(ctx)`` as that user in that district, committed.

    ``ctx`` is built with the ``host`` fixture's plugins.
    """
    from sqlalchemy import select  # noqa: PLC0415

    from core.context import context_for  # noqa: PLC0415
    from core.models import District, User  # noqa: PLC0415

    def run(username: str, fn: Callable[[RequestContext], Awaitable[Any]], code: str = "haishu") -> Any:
        async def inner(session: AsyncSession) -> Any:
            user = (await session.execute(select(User).where(User.username == username))).scalar_one()
            district = (await session.execute(select(District).where(District.code == code))).scalar_one()
            ctx = await context_for(session, settings=settings, host=host, user=user, district=district)
            return await fn(ctx)

        return seed(inner)

    return run


# -- a real ``sanshe run`` over the demo district, and Debian's Chromium ------------------------

SANSHE = [sys.executable, "-c", "from core.cli import main; main()"]


def _sanshe(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(  # noqa: S603 - our own argv
        [*SANSHE, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert result.returncode == 0, f"sanshe {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"sanshe run exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 - our loopback URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"sanshe run did not answer /healthz within {timeout:.0f} s:\n{log.read_text(errors='replace')}")


_DEMO_TEMPLATE: list[Path] = []


def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This test run's folder, common to its pytest-xdist workers (each has a folder of its own in it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if missing) against the run's other processes."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _seeded_demo_into(workdir: Path, env: dict[str, str], shared: Path) -> None:
    """Put a migrated, demo-seeded ``demo.db`` (and its ``var/``) into ``workdir``.

    ``sanshe demo`` seeds every plugin's data and takes seconds; it runs once per test
    run, by the first worker that needs it (the others wait for it, under a file lock),
    into a template folder of the run's folder, which each live server's folder copies.
    """
    if not _DEMO_TEMPLATE:
        template = shared / "demo-template"
        with _locked(shared / "demo-template.lock"):
            if not (template / "seeded").exists():
                shutil.rmtree(template, ignore_errors=True)  # a seed that failed half-way
                template.mkdir()
                template_env = {
                    **env,
                    "SANSHE_VAR_DIR": str(template / "var"),
                    "SANSHE_DATABASE_URL": f"sqlite+aiosqlite:///{template / 'demo.db'}",
                }
                _sanshe(template_env, "db", "upgrade")
                _sanshe(template_env, "demo", "--quiet")
                (template / "seeded").touch()
        _DEMO_TEMPLATE.append(template)
    template = _DEMO_TEMPLATE[0]
    for name in ("demo.db", "demo.db-wal", "demo.db-shm"):
        if (template / name).exists():
            shutil.copyfile(template / name, workdir / name)
    if (template / "var").is_dir():
        shutil.copytree(template / "var", workdir / "var", dirs_exist_ok=True)


@pytest.fixture(scope="module")
def live_workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The live server's folder: its ``demo.db`` (SQLite), ``var/`` and ``server.log``."""
    return tmp_path_factory.mktemp("live")


@pytest.fixture(scope="module")
def live_server(live_workdir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a running ``sanshe run`` over a migrated, demo-seeded SQLite database (a free port)."""
    workdir = live_workdir
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SANSHE_")},
        "SANSHE_VAR_DIR": str(workdir / "var"),
        "SANSHE_DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'demo.db'}",
        "SANSHE_SECRET_KEY": "browser-test-secret",
        "SANSHE_HOST": "127.0.0.1",
        "SANSHE_PORT": str(port),
    }
    _seeded_demo_into(workdir, env, run_folder(tmp_path_factory))
    log = workdir / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(  # noqa: S603 - our own argv
            [*SANSHE, "run", "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright's sync API (fails when Chromium is missing).

    Module-scoped on purpose: while Playwright's sync API is active it keeps an event loop
    running in the main thread, and every ``asyncio.run`` of the other tests would fail.
    """
    path = chromium_path()
    if not path.is_file():
        msg = f"没有找到 Chromium / {path} not found: install Debian's `chromium` (`make test` does)"
        pytest.fail(msg, pytrace=False)
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(path), headless=True, args=list(CHROMIUM_ARGS))
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) and page; Chinese is what a new visitor gets."""
    context = browser.new_context(locale="zh-CN")
    context.set_default_timeout(15_000)
    new_page = context.new_page()
    try:
        yield new_page
    finally:
        context.close()
