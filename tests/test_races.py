"""The core under parallel requests: policies reloaded with no gap, SQLite writers wait their turn, 503 not 500.

Every test runs a real server (uvicorn in a thread) and sends requests at once through
:func:`core.testing.races.fire`, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest
from sqlalchemy import func, select, text

import core.db.engine as engine_module
from core.auth.tokens import create_token
from core.models import User
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
