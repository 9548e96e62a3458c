"""Past one database server: a streaming read replica with read-your-writes, and a failover.

A real streaming standby of the process's PostgreSQL server (``pg_basebackup -R``, one per
module: core/testing/replica.py) serves the read-only requests of an app configured with
``SANSHE_DATABASE_REPLICA_URL``. With the standby's replay paused, the user who wrote
sees the write at once (its ``sanshe_lsn`` cookie sends its reads to the primary) while
another user, reading from the standby, sees it only once replay resumes. A page that
writes while being read (a notice taken out of the session) still works; the standby
stopped, reads come from the primary without an error.

The failover test makes its own repmgr cluster (core/testing/repmgr.py: a primary copied
from the process's server, registered; a standby made by ``repmgr standby clone``, made
synchronous; ``repmgrd`` on it with ``failover=automatic``), runs the app under uvicorn on a
multi-host URL with ``target_session_attrs=read-write``, lets four writers create cases and
kills the primary (``kill -9``). Nobody promotes by hand: repmgrd does; the writers carry
on by themselves, a request caught in the middle is answered 503 "请重试", every case
acknowledged with 201 is on the promoted server, and the old primary, rejoined as a
standby with ``repmgr node rejoin --force-rewind``, draws no writes and catches up.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from litestar.testing import TestClient

from core.app import create_app
from core.auth.sessions import COOKIE_NAME, push_flash
from core.config import Settings, load_settings
from core.db.replica import LSN_COOKIE, parse_lsn
from core.testing import csrf_of, login
from core.testing.pgserver import free_port
from core.testing.replica import Copy
from core.testing.repmgr import Node, RepmgrNotFoundError
from core.testing.web import PASSWORD
from tests.cases.conftest import RESIDENT_REQUEST, world

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from core.testing.pgserver import PostgresServer

__all__ = ("world",)

pytestmark = [pytest.mark.postgres_only, pytest.mark.xdist_group("module:tests.test_replica")]

API = "/api/v1/districts/haishu"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


def _query(dsn: str, sql: str) -> list[Any]:
    import asyncpg

    async def run() -> list[Any]:
        conn = await asyncpg.connect(dsn)
        try:
            return list(await conn.fetch(sql))
        finally:
            await conn.close()

    return asyncio.run(run())


def _caught_up(primary: PostgresServer, standby: Copy, timeout: float = 20) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    target = parse_lsn(_query(primary.dsn(), "SELECT pg_current_wal_insert_lsn()::text")[0][0])
    deadline = time.monotonic() + timeout
    while parse_lsn(_query(standby.dsn(), "SELECT pg_last_wal_replay_lsn()::text")[0][0]) < target:
        assert time.monotonic() < deadline, "the standby did not catch up"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def standby(postgres_server: PostgresServer) -> Iterator[Copy]:
    """A streaming hot standby of the process's PostgreSQL server (made once for the module)."""
    copy = Copy(postgres_server).start()
    try:
        yield copy
    finally:
        copy.stop()


def _new_case(client: Any, title: str) -> str:
    body = {"type": "resident_request", "title": title, "channel": "phone", "data": RESIDENT_REQUEST}
    response = client.post(f"{API}/cases", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


def _titles(client: TestClient[Any]) -> set[str]:
    response = client.get(f"{API}/cases", params={"limit": 200})
    assert response.status_code == 200, response.text
    return {c["title"] for c in response.json()["items"]}


def test_reads_follow_the_replica_and_the_writer_reads_its_writes(
    world: Any,
    seed: Any,
    database_url: str,
    postgres_server: PostgresServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    """Two replicas configured, one never up: reads go to the other. Replay paused: the writer sees its new
    case at once (list and page), another user only after resume; a page that writes while read (a flash
    notice taken out of the session) shows it once; the standby stopped too: reads from the primary, no error."""
    standby: Copy = request.getfixturevalue("standby")  # asked here: never made for the skipped SQLite run
    name = database_url.rsplit("/", 1)[1]
    down = f"postgresql+asyncpg://{standby.user}@127.0.0.1:{free_port()}/{name}"  # a second replica, never up
    monkeypatch.setenv("SANSHE_DATABASE_REPLICA_URL", f" {standby.url(name)} , {down}")
    monkeypatch.setenv("SANSHE_DATABASE_REPLICA_MAX_LAG", "300")
    monkeypatch.setenv("SANSHE_SECRET_KEY", "test-secret")
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("SANSHE_SCHEDULER", "0")
    settings = replace(load_settings(), database_url=database_url)
    assert settings.database_replica_urls == (standby.url(name), down)
    app = create_app(settings)
    with TestClient(app=app) as worker, TestClient(app=app) as social:
        for client, username in ((worker, "worker"), (social, "social")):
            login(client, username)
            client.headers.update({"x-csrftoken": csrf_of(client, "/me")})
        assert parse_lsn(worker.cookies.get(LSN_COOKIE)) > 0, "a write (the login) tells the browser its position"
        _new_case(worker, "复制前的诉求")
        _caught_up(postgres_server, standby)
        assert "复制前的诉求" in _titles(social)

        _query(standby.dsn(name), "SELECT pg_wal_replay_pause()")
        try:
            reference = _new_case(worker, "暂停期间的诉求")
            # The writer reads its write at once: the replica has not replayed it, so the primary answers.
            assert "暂停期间的诉求" in _titles(worker)
            page = worker.get(f"{API}/cases/{reference}")
            assert page.status_code == 200
            assert page.json()["title"] == "暂停期间的诉求"
            # Another user reads from the paused replica: not there yet, and no error.
            assert "暂停期间的诉求" not in _titles(social)
            assert social.get(f"{API}/cases/{reference}").status_code == 404
        finally:
            _query(standby.dsn(name), "SELECT pg_wal_replay_resume()")
        _caught_up(postgres_server, standby)
        assert "暂停期间的诉求" in _titles(social)

        # A page that writes while read (it takes a notice out of the session): shown once, even with replay paused.
        seed(lambda session: push_flash(session, social.cookies.get(COOKIE_NAME), "已转交社工"))
        _caught_up(postgres_server, standby)
        _query(standby.dsn(name), "SELECT pg_wal_replay_pause()")
        try:
            first = social.get("/d/haishu/cases")
            assert first.status_code == 200
            assert "已转交社工" in first.text
            again = social.get("/d/haishu/cases")
            assert again.status_code == 200
            assert "已转交社工" not in again.text
        finally:
            _query(standby.dsn(name), "SELECT pg_wal_replay_resume()")

        # The standby stops: reads come from the primary, never an error page.
        standby.halt()
        for _ in range(3):
            assert "暂停期间的诉求" in _titles(social)
        assert social.get("/d/haishu/cases").status_code == 200


# -- failover --------------------------------------------------------------------------------


def _writer(url: str, stop: threading.Event, acknowledged: list[str], refused: list[tuple[int, str]], n: int) -> None:
    """Create cases through the app until told to stop: 201s noted as acknowledged, anything else as refused."""
    with httpx.Client(base_url=url, timeout=30) as client:
        token = CSRF.search(client.get("/login").text)
        assert token
        data = {"username": "worker", "password": PASSWORD, "_csrf_token": token.group(1)}
        assert client.post("/login", data=data).status_code == 303
        token = CSRF.search(client.get("/me").text)
        assert token
        client.headers["x-csrftoken"] = token.group(1)
        i = 0
        while not stop.is_set():
            i += 1
            body = {"type": "resident_request", "title": f"写入者{n}-{i}", "channel": "phone", "data": RESIDENT_REQUEST}
            try:
                response = client.post(f"{API}/cases", json=body)
            except httpx.HTTPError as exc:  # the app server itself must stay up
                refused.append((0, str(exc)))
                continue
            if response.status_code == 201:
                acknowledged.append(str(response.json()["reference"]))
            else:
                refused.append((response.status_code, response.text))
                stop.wait(0.05)  # a client's short pause before trying again


def _wait_for(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


class _Server:
    """The app under uvicorn in a thread of the test process, with the production engine (a pool, pre-ping)."""

    def __init__(self, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
        import uvicorn

        import core.app as app_module
        from core.db import create_engine

        monkeypatch.setattr(app_module, "create_engine", create_engine)  # the production pool (pre-ping): one loop here
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        _wait_for(lambda: self.server.started, 30, "the app to start")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def test_repmgr_fails_over_and_keeps_every_acknowledged_case(
    world: Any, database_url: str, postgres_server: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repmgr pair, the standby synchronous and its repmgrd on automatic failover; four writers; the primary is
    killed (-9). repmgrd promotes the standby by itself, the app reconnects by itself, requests caught in between
    are answered 503 "请重试", and every case answered 201 is on the new primary. The old primary, rejoined as a
    standby (``repmgr node rejoin``), draws no writes and catches up with every case."""
    name = database_url.rsplit("/", 1)[1]
    # A primary of its own (the process's server must live on), with the world's data; its standby cloned by repmgr.
    try:
        primary = Node(postgres_server, 1)
        standby = Node(postgres_server, 2, upstream=primary)
    except RepmgrNotFoundError as exc:
        pytest.fail(str(exc), pytrace=False)
    server: _Server | None = None
    stop = threading.Event()
    acknowledged: list[str] = []
    refused: list[tuple[int, str]] = []
    writers: list[threading.Thread] = []
    repmgr = standby.dsn("repmgr")
    try:
        primary.start()
        standby.start()
        # From now on a commit on the primary waits until node2 has it: an acknowledged case is on both servers.
        _query(primary.dsn(), "ALTER SYSTEM SET synchronous_standby_names = 'node2'")
        _query(primary.dsn(), "SELECT pg_reload_conf()")
        replication = "SELECT application_name, sync_state FROM pg_stat_replication"
        _wait_for(lambda: _query(primary.dsn(), replication) == [("node2", "sync")], 20, "node2 to be synchronous")
        standby.start_daemon()

        hosts = f"host=127.0.0.1:{primary.port}&host=127.0.0.1:{standby.port}"
        url = f"postgresql+asyncpg://{primary.user}@/{name}?{hosts}&target_session_attrs=read-write"
        server = _Server(Settings(database_url=url, secret_key="failover", var_dir=tmp_path / "var"), monkeypatch)
        writers = [
            threading.Thread(target=_writer, args=(server.url, stop, acknowledged, refused, n), daemon=True)
            for n in range(4)
        ]
        for thread in writers:
            thread.start()
        _wait_for(lambda: len(acknowledged) >= 8, 30, "the writers' first cases")

        primary.kill()
        before = len(acknowledged)
        # Nobody promotes by hand: repmgrd notices, tries twice more a second apart, and promotes node2.
        _wait_for(lambda: len(acknowledged) >= before + 8, 40, "the writers to carry on after repmgrd's promotion")
        promoted = "SELECT successful FROM repmgr.events WHERE node_id = 2 AND event = 'repmgrd_failover_promote'"
        _wait_for(lambda: _query(repmgr, promoted) == [(True,)], 20, "repmgrd's failover event")
        nodes = _query(repmgr, "SELECT node_name, type, active FROM repmgr.nodes ORDER BY node_id")
        assert nodes == [("node1", "primary", False), ("node2", "primary", True)], standby.log()[-3000:]

        # The failed primary must not start again as a primary (two primaries): it is rejoined as a standby of
        # the new one, rewound with pg_rewind, while the writers go on; first in the app's URL, it draws no writes.
        refused_before_rejoin = len(refused)
        primary.rejoin(standby)
        after = len(acknowledged)
        _wait_for(lambda: len(acknowledged) >= after + 8, 30, "the writers to carry on after the rejoin")
        assert len(refused) == refused_before_rejoin, f"refused during or after the rejoin: {refused[-3:]}"
    finally:
        stop.set()
        for thread in writers:
            thread.join(timeout=35)
        if server is not None:
            server.stop()
    try:
        assert refused, "no request was caught by the failover"
        for status, text in refused:
            assert status == 503, f"{status}: {text[:300]}"
            assert "重试" in text
        stored = {row[0] for row in _query(standby.dsn(name), "SELECT reference FROM cases")}
        missing = sorted(set(acknowledged) - stored)
        assert not missing, f"acknowledged but lost: {missing}"

        assert _query(primary.dsn(), "SELECT pg_is_in_recovery()") == [(True,)]
        _caught_up(standby, primary)
        assert {row[0] for row in _query(primary.dsn(name), "SELECT reference FROM cases")} == stored
        nodes = _query(repmgr, "SELECT node_name, type, upstream_node_id, active FROM repmgr.nodes ORDER BY node_id")
        assert nodes == [("node1", "standby", 2, True), ("node2", "primary", None, True)]
    finally:
        standby.stop()
        primary.stop()
