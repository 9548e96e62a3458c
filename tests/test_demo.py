"""``sanshe demo`` seeds the demo district 海曙区 once, and its users can log in.

Seeding the whole demo (every plugin's data) takes seconds, so the tests that only read
what it made share one seeded database per backend (``seeded``), as does the second run
that must add nothing; only the run through PgBouncer seeds its own.
"""

from __future__ import annotations

import asyncio
import re

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from core.cli import demo
from core.config import Settings
from core.db import create_engine
from core.db.base import Base
from core.demo import DEMO_PASSWORD, DEMO_USERS
from core.models import District, Membership, OrgUnit, User
from core.plugins import PluginHost
from core.testing import login
from core.testing.plugin import make_app

pytestmark = pytest.mark.xdist_group("test_demo")  # one worker seeds the shared database once per backend


def _cli() -> click.Group:
    group = click.Group("sanshe")
    demo.register(group)
    return group


@pytest.fixture
def cli_env(database_url, tmp_path, monkeypatch):
    """Point the command line at the test database."""
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.delenv("SANSHE_PLUGINS", raising=False)
    return database_url


_SEEDED: dict[str, tuple[str, str]] = {}


@pytest.fixture
def seeded(backend, request, tmp_path_factory, monkeypatch, _sanshe_databases):
    """``(url, output)`` of a database ``sanshe demo`` seeded once per backend in this process; tests only read it."""
    if backend not in _SEEDED:
        workdir = tmp_path_factory.mktemp("demo")
        kind = "sqlite" if backend == "sqlite" else "postgresql"
        url = _sanshe_databases.create(kind, request.getfixturevalue("all_plugins_host"), workdir)
        monkeypatch.setenv("SANSHE_VAR_DIR", str(workdir / "var"))
        monkeypatch.setenv("SANSHE_DATABASE_URL", url)
        monkeypatch.delenv("SANSHE_PLUGINS", raising=False)
        _SEEDED[backend] = (url, run_demo())
    return _SEEDED[backend]


def query(url, fn):
    """Run ``fn(session)`` against the seeded database and return what it returns."""
    from core.db import session_factory

    async def run():
        engine = create_engine(url)
        try:
            async with session_factory(engine)() as session:
                return await fn(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())


@pytest.fixture
def seeded_client(seeded, tmp_path):
    from litestar.testing import TestClient

    app = make_app(
        Settings(database_url=seeded[0], secret_key="test-secret", var_dir=tmp_path / "var"), PluginHost.load(None)
    )
    with TestClient(app=app) as client:
        yield client


def run_demo():
    result = CliRunner().invoke(_cli(), ["demo"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def row_counts(url: str) -> dict[str, int]:
    """How many rows each table of the models holds."""

    async def count() -> dict[str, int]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return {
                    name: (await conn.execute(select(func.count()).select_from(table))).scalar_one()
                    for name, table in Base.metadata.tables.items()
                }
        finally:
            await engine.dispose()

    return asyncio.run(count())


def test_demo_twice_duplicates_nothing(seeded, monkeypatch, tmp_path):
    """Running ``sanshe demo`` a second time adds no row to any table and says nothing changed."""
    url, first = seeded
    assert "demo district ready" in first
    before = row_counts(url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SANSHE_DATABASE_URL", url)
    monkeypatch.delenv("SANSHE_PLUGINS", raising=False)
    second = run_demo()
    assert "nothing to change" in second
    assert row_counts(url) == before
    assert before["users"] >= len(DEMO_USERS)
    assert before["districts"] == 1


def test_demo_prints_the_logins(seeded):
    """The demo ends by printing every demo login, the password and where to log in."""
    output = seeded[1]
    for user in DEMO_USERS:
        assert user.username in output
    assert DEMO_PASSWORD in output
    assert "http://127.0.0.1:8000/login" in output


def test_demo_builds_the_district_places_and_people(seeded):
    """海曙区 (HS) has 鼓楼街道 → 平桥社区 (→ 偃月小区) and 牡丹社区; worker is in 平桥社区; admin is platform admin."""

    async def check(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        assert (district.name_zh, district.ref_prefix) == ("海曙区", "HS")
        units = {u.name_zh: u for u in (await session.execute(select(OrgUnit))).scalars()}
        assert units["平桥社区"].parent_id == units["鼓楼街道"].id
        assert units["牡丹社区"].parent_id == units["鼓楼街道"].id
        assert units["偃月小区"].parent_id == units["平桥社区"].id
        worker = (await session.execute(select(User).where(User.username == "worker"))).scalar_one()
        membership = (await session.execute(select(Membership).where(Membership.user_id == worker.id))).scalar_one()
        assert (membership.role_key, membership.org_unit_id) == ("community_worker", units["平桥社区"].id)
        admin = (await session.execute(select(User).where(User.username == "admin"))).scalar_one()
        assert admin.is_platform_admin

    query(seeded[0], check)


def test_demo_records_households_of_yanyue(seeded):
    """偃月小区 has its 461 households with floor areas; the demo resident 刘洋 is a person linked to their login."""
    from decimal import Decimal

    from core.db.tenancy import for_district
    from core.models import Person
    from core.residents import public

    async def check(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        estate = (await session.execute(select(OrgUnit).where(OrgUnit.code == "yanyue"))).scalar_one()
        for_district(session, district.id)
        owners = await public.estate_owners(session, estate.id)
        resident = (await session.execute(select(User).where(User.username == "resident"))).scalar_one()
        person = (await session.execute(select(Person).where(Person.user_id == resident.id))).scalar_one()
        shared = await public.find_people_by_phone(session, "0574-87351234")
        return owners, person.name, len(shared)

    owners, name, shared = query(seeded[0], check)
    # The core demo's four households, then the parking demo fills the estate to its real 461.
    assert len(owners) == 461
    assert all(o.area > Decimal(0) for o in owners)
    assert name == "刘洋"
    assert shared == 2


def test_demo_enables_every_installed_plugin(seeded):
    """Every installed plugin is switched on for 海曙区."""
    from core.plugins.enabled import enabled_keys

    host = PluginHost.load(None)

    async def keys(session):
        district = (await session.execute(select(District).where(District.code == "haishu"))).scalar_one()
        return await enabled_keys(session, district, host)

    assert query(seeded[0], keys) == {p.key for p in host.plugins}


@pytest.mark.pgbouncer  # the demo seeds through PgBouncer in transaction mode (it failed there before)
def test_demo_users_can_log_in(backend, request):
    """Each demo user logs in with the password sanshe-demo and reaches a page (through PgBouncer: seeded there too)."""
    if backend == "pgbouncer":
        request.getfixturevalue("cli_env")
        run_demo()
        client = request.getfixturevalue("client")
    else:
        client = request.getfixturevalue("seeded_client")
    for user in DEMO_USERS:
        client.cookies.clear()
        login(client, user.username, DEMO_PASSWORD)
        response = client.get("/", follow_redirects=True)
        assert response.status_code == 200, user.username


def test_worker_sees_the_haishu_dashboard(seeded_client):
    """``worker`` lands on 海曙区's dashboard (工作台) after logging in."""
    login(seeded_client, "worker", DEMO_PASSWORD)
    response = seeded_client.get("/", follow_redirects=True)
    assert response.url.path == "/d/haishu/"
    assert "海曙区" in response.text
    assert "工作台" in response.text


def test_demo_refuses_an_unmigrated_database(tmp_path, monkeypatch):
    """On a database without the migrations, ``sanshe demo`` exits 2 and says to run ``sanshe db upgrade``."""
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SANSHE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    result = CliRunner().invoke(_cli(), ["demo"])
    assert result.exit_code == 2
    assert "sanshe db upgrade" in result.output


def test_demo_messages_are_in_chinese(seeded):
    """The demo's council notices are written in Chinese: the plugins' catalogs are known to the CLI
    too (they were English message ids, shown as such in the Chinese interface)."""

    async def texts(session):
        from sqlalchemy import select

        from core.models.notifications import Notification

        rows = (await session.execute(select(Notification))).scalars()
        return [str(n.params["text"]) for n in rows if "text" in (n.params or {})]  # the notices with a written text

    found = query(seeded[0], texts)
    assert found and all(re.search(r"[\u4e00-\u9fff]", t) for t in found)
    assert not [t for t in found if "Published for objections" in t or "Meeting invitation" in t]
