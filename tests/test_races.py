"""The core under parallel requests: policies reloaded with no gap, SQLite writers wait their turn, 503 not 500.

Every test runs a real server (uvicorn in a thread) and sends requests at once through
:func:`core.testing.races.fire`, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest
from litestar import get, post
from litestar.testing import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

import core.db.engine as engine_module
from core.app import create_app
from core.auth.tokens import create_token
from core.models import District, User
from core.testing.browser import serve
from core.testing.races import Call, fire, logged_in
from tests.factories import make_district, make_user

API = "/api/v1/districts/haishu"


def _seed(seed) -> dict[str, str]:
    async def data(session):
        district = await make_district(session)
        admin = await make_user(session, "district-admin", district=district, roles=("district_admin",))
        worker = await make_user(session, "worker", district=district, roles=("community_worker",))
        tokens = {}
        for name, user in (("admin", admin), ("worker", worker)):
            tokens[name], _ = await create_token(session, user, district.id, "races")
        return tokens

    return seed(data)


def test_staff_pages_while_accounts_are_created_never_fail(app, seed):
    """8 accounts created (each a policy reload) during 40 staff page views: every page 200, every create 201.

    Before, a reload dropped the district's policies while other requests were deciding
    (RuntimeError "policies of district haishu are not loaded", answered 500).
    """
    tokens = _seed(seed)
    creates = [
        Call(
            "POST",
            f"{API}/users",
            json={"username": f"lihua{i}", "password": "long-enough-1", "role": "volunteer"},
            token=tokens["admin"],
        )
        for i in range(8)
    ]
    with serve(app) as url:
        clients = [logged_in(url, name) for name in ("district-admin", "worker") * 4]
        try:
            pages = ["/d/haishu/admin/users", "/d/haishu/", "/d/haishu/cases", "/me", "/d/haishu/admin/users"]
            views = [
                Call("GET", path, client=client, delay=(i % 10) * 0.15)
                for i, (client, path) in enumerate((c, p) for c in clients for p in pages)
            ]
            calls = [c for i, view in enumerate(views) for c in ([creates[i // 5]] if i % 5 == 0 else []) + [view]]
            responses = fire(url, calls)
        finally:
            for client in clients:
                client.close()
    errors = [(r.request.method, r.request.url.path, r.status_code) for r in responses if r.status_code >= 400]
    assert errors == []
    assert sorted(r.status_code for r in responses if r.request.method == "POST") == [201] * 8

    async def created(session):
        return (await session.execute(select(func.count()).where(User.username.startswith("lihua")))).scalar_one()

    assert seed(created) == 8


def test_parallel_writers_wait_their_turn(app, seed):
    """8 clients each create 3 accounts at once (24 writes): all 201, none "database is locked"."""
    tokens = _seed(seed)
    calls = [
        Call(
            "POST",
            f"{API}/users",
            json={"username": f"w{i}", "password": "long-enough-1", "role": "volunteer"},
            token=tokens["admin"],
        )
        for i in range(24)
    ]
    with serve(app) as url:
        responses = [r for batch in (calls[:8], calls[8:16], calls[16:]) for r in fire(url, batch)]
    assert [r.status_code for r in responses] == [201] * 24, [r.text[:200] for r in responses if r.status_code != 201]


def test_a_write_that_cannot_get_the_lock_answers_503(app, seed, backend, database_url, monkeypatch):
    """SQLite: while another program holds the write lock past the busy timeout, a write answers 503 with a retry."""
    if backend != "sqlite":
        pytest.skip("the database-wide write lock is SQLite's")
    tokens = _seed(seed)
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 300)
    holder = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None)
    with serve(app) as url:
        holder.execute("BEGIN IMMEDIATE")
        try:
            (busy,) = fire(
                url,
                [
                    Call(
                        "POST",
                        f"{API}/users",
                        json={"username": "x1", "password": "long-enough-1", "role": "volunteer"},
                        token=tokens["admin"],
                    )
                ],
            )
            (read,) = fire(url, [Call("GET", f"{API}/users", token=tokens["admin"])])
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "2"
    assert busy.json()["detail"].startswith("服务器繁忙，未保存任何内容")
    assert read.status_code == 200, read.text  # a read does not need the write lock


def test_a_sqlite_writer_waiting_for_the_lock_holds_no_connection_mutex(backend, database_url):
    """SQLite: a writer waiting for the write lock leaves its connection free to the event loop.

    SQLite's own busy handler sleeps while holding the connection's mutex; when the garbage
    collector finalized one of that connection's cursors on the event loop, the whole server
    stood still until the waiter gave up (10 parallel ratings: 503s after 10 s). The waiter
    now sleeps in asyncio between short tries: the loop can use the connection meanwhile,
    and the write goes through once the other program lets the lock go.
    """
    if backend != "sqlite":
        pytest.skip("the database-wide write lock is SQLite's")

    async def run() -> tuple[float, float]:
        engine = engine_module.create_engine(database_url)
        holder = sqlite3.connect(database_url.split("///", 1)[1], isolation_level=None)
        holder.execute("PRAGMA journal_mode=WAL")  # as the app leaves every database it opened
        holder.execute("BEGIN IMMEDIATE")
        try:
            async with engine.connect() as conn:
                raw = (await conn.get_raw_connection()).driver_connection._conn  # the sqlite3 connection
                started = time.monotonic()
                waiting = asyncio.create_task(conn.execute(text("UPDATE districts SET id = id")))
                await asyncio.sleep(0.5)
                assert not waiting.done()  # it waits for the lock
                touched = time.monotonic()
                raw.execute("SELECT 1").fetchall()  # on the loop's thread, as the garbage collector would
                blocked = time.monotonic() - touched
                holder.execute("ROLLBACK")
                await waiting
                await conn.commit()
                return blocked, time.monotonic() - started
        finally:
            holder.close()
            await engine.dispose()

    blocked, took = asyncio.run(run())
    assert blocked < 0.3, f"the loop waited {blocked:.2f} s for the waiting writer's connection"
    assert took < 5  # the write went through as soon as the lock was free


_PROBE_RUNS: list[str] = []


@get("/probe/read-that-writes")
async def _read_that_writes(db_session: AsyncSession) -> str:
    """Reads, lets another connection commit meanwhile (first run only), then adds a row flushed only at the commit."""
    _PROBE_RUNS.append("run")
    await db_session.execute(select(func.count()).select_from(User))  # the read: its snapshot is taken
    if len(_PROBE_RUNS) == 1:
        async with db_session.bind.begin() as other:
            await other.execute(text("UPDATE users SET display_name = display_name || '.'"))
    db_session.add(District(code="probe", name_zh="探针区"))
    return "ok"


def test_a_read_whose_commit_finds_its_snapshot_stale_runs_again_as_a_writer(settings, seed):
    """A GET that writes only at its commit, after another writer committed: answered 200, its row kept once.

    On SQLite the commit fails at once (the read's snapshot is stale) as the answer starts,
    before anything is sent: the request runs again as a writer. PostgreSQL just commits.
    """
    seed(lambda session: make_user(session, "someone"))
    app = create_app(settings)
    app.register(_read_that_writes)
    _PROBE_RUNS.clear()
    with TestClient(app=app) as client:
        response = client.get("/probe/read-that-writes")
    assert response.status_code == 200 and response.text == "ok", response.text[:300]

    async def districts(session):
        return (await session.execute(select(func.count()).where(District.code == "probe"))).scalar_one()

    assert seed(districts) == 1
    assert len(_PROBE_RUNS) == (2 if settings.database_url.startswith("sqlite") else 1)


@post("/probe/write-that-fails-at-commit")
async def _write_that_fails_at_commit(db_session: AsyncSession) -> str:
    """Adds a district whose code is taken: the unique constraint fails only when the commit flushes it."""
    db_session.add(District(code="taken", name_zh="重复区"))
    return "saved"


def test_a_write_whose_commit_fails_is_never_answered_as_saved(settings, seed):
    """A POST whose commit fails (here a unique constraint met at the commit) answers 500 "nothing was saved".

    Advanced Alchemy's auto-commit handler, used before, logged the failure and sent the
    handler's 201 anyway: the user was told it was saved while nothing was.
    """
    seed(lambda session: make_district(session, "taken", "已有区"))
    app = create_app(settings)
    app.register(_write_that_fails_at_commit)
    anon = "x" * 40
    with TestClient(app=app) as client:
        client.cookies.set("sanshe_csrf", anon)
        response = client.post("/probe/write-that-fails-at-commit", headers={"x-csrftoken": anon})
    assert response.status_code == 500, response.text[:300]
    assert "未保存任何内容" in response.text and response.text != "saved"

    async def districts(session):
        return (await session.execute(select(func.count()).where(District.code == "taken"))).scalar_one()

    assert seed(districts) == 1
