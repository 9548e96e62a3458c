"""Two ``sanshe run`` servers on one PostgreSQL database, as behind a load balancer.

Both trust X-Forwarded-For from 127.0.0.1 and keep attachments in the database. One
client (cookies shared: both listen on 127.0.0.1) talks to either server, and everything
done on one is seen on the other: a session, a case type published, an attachment, a
permission given and taken back, a module switched off, login throttling. Cases created
in parallel on both get unique reference numbers. Last, a case-type migration job is
started, the server running it is killed (``kill -9``) in the middle, and the other server
finishes it: every case moved exactly once.
"""

from __future__ import annotations

import asyncio
import copy
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from core.testing.factories import make_district, make_user
from core.testing.servers import SansheProcess, sanshe_env
from core.testing.web import PASSWORD
from tests.builder.conftest import DATA, MEAL
from tests.cases.conftest import world

if TYPE_CHECKING:
    from collections.abc import Awaitable, Iterator
    from pathlib import Path

__all__ = ("world",)

pytestmark = [pytest.mark.postgres_only, pytest.mark.pgbouncer]  # also both servers behind PgBouncer

API = "/api/v1/districts/haishu"
BUILDER = f"{API}/builder/case-types"
CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
TEXT = ("居民来电记录\n" * 60_000).encode()  # ~1 MB: four database chunks


class Database:
    """The test's own PostgreSQL connection, on an event loop in a thread (to hold a transaction open)."""

    def __init__(self, url: str) -> None:
        self.dsn = url.replace("postgresql+asyncpg://", "postgresql://")
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.conn: Any = self.run(self._connect())

    async def _connect(self) -> Any:
        import asyncpg

        return await asyncpg.connect(self.dsn, statement_cache_size=0)  # safe behind PgBouncer too

    def run(self, coro: Awaitable[Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=30)  # type: ignore[arg-type]

    def fetch(self, query: str, *args: Any) -> list[Any]:
        return list(self.run(self.conn.fetch(query, *args)))

    def close(self) -> None:
        self.run(self.conn.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


@pytest.fixture
def servers(backend: str, database_url: str, world: Any, seed: Any, tmp_path: Path) -> Iterator[list[SansheProcess]]:
    """Two servers on the test database (started together, always stopped), database storage, short job leases."""

    async def resident(session: Any) -> None:  # a resident: made district admin and back on the servers
        await make_user(session, "lihua", district=await make_district(session), roles=("resident",))

    seed(resident)
    env = sanshe_env(
        database_url,
        tmp_path / "var",
        storage="database",
        proxy_headers="1",
        forwarded_allow_ips="127.0.0.1",
        job_lease_seconds="3",
        job_poll_seconds="0.5",
        scheduler="1",
    )
    started = [SansheProcess(env, tmp_path / f"server-{name}.log") for name in "ab"]
    try:
        for server in started:
            server.wait()
        yield started
    finally:
        for server in started:
            server.stop()


def log_in(
    client: httpx.Client, server: str, username: str, password: str = PASSWORD, forwarded_for: str = ""
) -> int:
    """One login through the form (the client named in X-Forwarded-For, if given); the answer's status."""
    headers = {"x-forwarded-for": forwarded_for} if forwarded_for else {}
    token = CSRF.search(client.get(f"{server}/login", headers=headers).text)
    assert token, "no login form"
    data = {"username": username, "password": password, "_csrf_token": token.group(1)}
    return client.post(f"{server}/login", data=data, headers=headers).status_code


def user(server: str, username: str) -> httpx.Client:
    """A client logged in on ``server`` as ``username`` that sends the CSRF header of its session."""
    client = httpx.Client(timeout=60)
    assert log_in(client, server, username) == 303
    token = CSRF.search(client.get(f"{server}/me").text)
    assert token, "no CSRF token on /me"
    client.headers["x-csrftoken"] = token.group(1)
    return client


def new_meal(client: httpx.Client, server: str, n: int) -> str:
    body = {"type": "meal_delivery", "title": f"送餐 {n}", "channel": "web", "data": DATA}
    response = client.post(f"{server}{API}/cases", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


def test_two_servers_share_everything(servers: list[SansheProcess], database_url: str) -> None:
    """Sessions, case types, files, permissions, modules and throttling hold across two servers; a job
    whose server is killed mid-run is finished by the other, each case moved once."""
    a, b = (s.url for s in servers)

    # A session made on A works on B.
    admin = user(a, "dadmin")
    assert admin.get(f"{b}/me").status_code == 200
    assert "dadmin" in admin.get(f"{b}/me").text
    worker = user(b, "worker")

    # A case type published on A is used on B.
    assert admin.post(f"{a}{BUILDER}", json={"key": "meal_delivery", "definition": MEAL}).status_code == 201
    assert admin.post(f"{a}{BUILDER}/meal_delivery/publish").status_code == 201
    first = new_meal(worker, b, 0)

    # Reference numbers stay unique when both servers create cases at once.
    with ThreadPoolExecutor(max_workers=8) as pool:
        refs = list(pool.map(lambda n: new_meal(worker, (a, b)[n % 2], n), range(1, 25)))
    assert len({first, *refs}) == 25

    # A file uploaded on A is read on B (database storage: nothing on either server's disk).
    uploaded = worker.post(f"{a}{API}/cases/{first}/attachments", files={"file": ("来电.txt", TEXT, "text/plain")})
    assert uploaded.status_code == 201, uploaded.text
    download = worker.get(f"{b}{API}/cases/{first}/attachments/{uploaded.json()['id']}")
    assert (download.status_code, download.content) == (200, TEXT)

    # A permission given on A applies on B, and so does taking it back.
    lihua = user(b, "lihua")
    assert lihua.get(f"{b}{BUILDER}").status_code == 403
    given = admin.post(f"{a}{API}/memberships", json={"username": "lihua", "role": "district_admin"})
    assert given.status_code == 201, given.text
    assert lihua.get(f"{b}{BUILDER}").status_code == 200
    assert admin.delete(f"{a}{API}/memberships/{given.json()['id']}").status_code == 204
    assert lihua.get(f"{b}{BUILDER}").status_code == 403

    # A module switched on, then off, on A: B follows.
    assert admin.patch(f"{a}{API}/plugins/notices", json={"enabled": True}).status_code == 200
    assert worker.get(f"{b}/d/haishu/notices").status_code == 200
    assert admin.patch(f"{a}{API}/plugins/notices", json={"enabled": False}).status_code == 200
    assert worker.get(f"{b}/d/haishu/notices").status_code == 404

    # Login throttling counts one client's failures on both servers (through the "balancer").
    with httpx.Client(timeout=60) as balancer:
        for n in range(20):
            assert log_in(balancer, (a, b)[n % 2], f"nobody{n}", "wrong-password", "198.51.100.7") == 400
        for server in (a, b):
            assert log_in(balancer, server, "worker", forwarded_for="198.51.100.7") == 429
    with httpx.Client(timeout=60) as other:
        assert log_in(other, b, "worker", forwarded_for="198.51.100.8") == 303

    _migration_survives_a_killed_server(servers, admin, database_url, total=25)


def _migration_survives_a_killed_server(
    servers: list[SansheProcess], admin: httpx.Client, database_url: str, *, total: int
) -> None:
    """v2 renames ``applied`` → ``received``; the 25 open cases move in a job. The test holds five of
    them locked, so the running server moves the others and keeps its lease, waiting for them; it is
    killed there, the locks go, and the other server takes the job over once the lease runs out."""
    a = servers[0].url
    v2 = copy.deepcopy(MEAL)
    v2["workflow"]["initial"] = "received"
    v2["workflow"]["states"][0]["key"] = "received"
    for t in v2["workflow"]["transitions"]:
        t["from"] = ["received" if s == "applied" else s for s in t["from"]]
    assert admin.post(f"{a}{BUILDER}", json={"key": "meal_delivery", "definition": v2}).status_code == 201
    assert admin.post(f"{a}{BUILDER}/meal_delivery/publish").json()["version"] == 2

    db = Database(database_url)
    try:
        db.run(db.conn.execute("BEGIN"))
        db.fetch("SELECT id FROM cases ORDER BY id DESC LIMIT 5 FOR UPDATE")
        watch = Database(database_url)
        try:
            page = admin.get(f"{a}/d/haishu/admin/case-types/meal_delivery").text
            token = CSRF.search(page)
            assert token, "no migration form"
            started = admin.post(
                f"{a}/d/haishu/admin/case-types/meal_delivery/migrate",
                data={"_csrf_token": token.group(1), "map_applied": "received"},
                headers={"HX-Request": "true"},
            )
            assert started.status_code == 200, started.text
            job = _wait(watch, lambda row: row["moved"] == total - 5 and row["lease_owner"], "20 cases moved")
            owner_pid = int(str(job["lease_owner"]).split(":")[1])
            running = next(s for s in servers if s.proc.pid == owner_pid)
            running.kill()
            db.run(db.conn.execute("ROLLBACK"))  # the five cases are free again
            done = _wait(watch, lambda row: row["status"] == "done", "the job done by the other server")
            assert (done["moved"], done["total"], done["error"]) == (total, total, "")
            per_case = watch.fetch(
                "SELECT c.id, c.state, count(e.id) AS n FROM cases c "
                "LEFT JOIN case_events e ON e.case_id = c.id AND e.kind = 'migrated' GROUP BY c.id, c.state"
            )
            assert len(per_case) == total
            assert {(r["state"], r["n"]) for r in per_case} == {("received", 1)}
            assert [s.proc.poll() is None for s in servers].count(True) == 1
        finally:
            watch.close()
    finally:
        db.close()


def _wait(db: Database, ready: Any, what: str, timeout: float = 30) -> Any:
    """Poll the migration job until ``ready(row)``; fail naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout
    row = None
    while time.monotonic() < deadline:
        rows = db.fetch("SELECT status, moved, total, error, lease_owner FROM case_migration_jobs")
        row = rows[0] if rows else None
        if row is not None and ready(row):
            return row
        time.sleep(0.05)
    pytest.fail(f"waited {timeout:.0f} s for {what}; job: {dict(row) if row else None}")
