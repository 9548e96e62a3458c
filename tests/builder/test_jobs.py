"""Migrations of open cases as background jobs: stored plan, the server's worker, two runners, crash, resume, CLI."""

from __future__ import annotations

import asyncio
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy import select, update

from core.builder import jobs
from core.cli import _register, cli
from core.db import create_engine, session_factory, utcnow
from core.models import User
from core.models.cases import Case, CaseEvent, CaseTypeVersion
from core.models.jobs import CaseMigrationJob
from core.testing import login

pytestmark = pytest.mark.pgbouncer  # also through PgBouncer in transaction mode (core.testing.pgbouncer)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

URL = "/d/haishu/admin/case-types/meal_delivery"
MAPPING = {"applied": "received", "assessed": "assessed"}
HTMX = {"HX-Request": "true"}


class PowerCut(BaseException):
    """The process dies: nothing catches it (as with a kill, the job's lease is left to expire)."""


@pytest.fixture
def runners(database_url: str) -> Callable[[Callable[[Any], Awaitable[Any]]], Any]:
    """``runners(fn)`` runs ``await fn(factory)`` with a session factory on the test database (as a worker would)."""

    def run(fn: Callable[[Any], Awaitable[Any]]) -> Any:
        async def inner() -> Any:
            engine = create_engine(database_url)
            try:
                return await fn(session_factory(engine))
            finally:
                await engine.dispose()

        return asyncio.run(inner())

    return run


@pytest.fixture
def job_id(as_user: Any, two_versions: Any) -> int:
    """A stored migration of the three open cases onto v2, started by the district admin (nothing moved yet)."""
    _refs, v2 = two_versions

    async def start(ctx: Any) -> int:
        target = await ctx.session.get(CaseTypeVersion, v2)
        return (await jobs.start_job(ctx.session, ctx.district, target, MAPPING, user_id=ctx.user.id)).id

    return int(as_user("dadmin", start))


def snapshot(seed: Any, v2: int) -> dict[str, Any]:
    """The job, which cases are on v2, and the migrated events per case."""

    async def run(session: Any) -> dict[str, Any]:
        job = (await session.execute(select(CaseMigrationJob))).scalar_one()
        cases = list((await session.execute(select(Case).order_by(Case.id))).scalars())
        events = list((await session.execute(select(CaseEvent).where(CaseEvent.kind == "migrated"))).scalars())
        return {
            "status": job.status,
            "error": job.error,
            "moved": job.moved,
            "total": job.total,
            "owner": job.lease_owner,
            "on_v2": [c.case_type_version_id == v2 for c in cases],
            "events": sorted(e.case_id for e in events),
        }

    return dict(seed(run))


def expire_lease(seed: Any) -> None:
    """Time passes: the lease of whoever held the job runs out."""

    async def run(session: Any) -> None:
        await session.execute(update(CaseMigrationJob).values(lease_until=utcnow() - timedelta(seconds=1)))

    seed(run)


def test_the_plan_is_stored_and_the_servers_worker_finishes_it_with_no_page_open(app, seed, two_versions):
    """Posting the mapping stores the plan and answers at once; the cases move without any poll; the page says done."""
    _refs, v2 = two_versions
    with TestClient(app=app) as client:
        login(client, "dadmin")
        page = client.get(URL)
        assert 'name="map_applied"' in page.text and 'name="map_assessed"' in page.text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        refused = client.post(f"{URL}/migrate", data={"_csrf_token": token, "map_assessed": "assessed"}, headers=HTMX)
        assert "applied" in refused.text and 'role="alert"' in refused.text
        data = {"_csrf_token": token, "map_applied": "received", "map_assessed": "assessed"}
        started = client.post(f"{URL}/migrate", data=data, headers=HTMX)
        assert started.status_code == 200
        assert "迁移到版本 2" in started.text and 'id="migration-progress"' in started.text
        deadline = time.monotonic() + 20
        while snapshot(seed, v2)["status"] != "done" and time.monotonic() < deadline:
            time.sleep(0.1)  # only the database is looked at: no page polls
        state = snapshot(seed, v2)
        assert state["status"] == "done" and state["moved"] == state["total"] == 3
        assert state["on_v2"] == [True, True, True] and len(set(state["events"])) == 3
        progress = client.get(f"{URL}/migration", headers=HTMX).text
        assert 'value="3" max="3"' in progress and 'id="migration-done"' in progress
        assert "所有未结案件都已在版本 2 上" in progress
        again = client.get(URL).text
        assert 'name="map_applied"' not in again and 'id="migration-done"' in again

    async def plan(session: Any) -> tuple[Any, ...]:
        job = (await session.execute(select(CaseMigrationJob))).scalar_one()
        who = await session.get(User, job.started_by_id)
        return job.case_type_key, job.target_version, job.mapping, who.username, job.created_at is not None

    assert seed(plan) == ("meal_delivery", 2, MAPPING, "dadmin", True)


def test_polling_only_reads_progress(app, seed, two_versions, job_id):
    """While another process holds the job's lease, polling the progress many times moves nothing."""
    _refs, v2 = two_versions

    async def held(session: Any) -> None:
        await session.execute(
            update(CaseMigrationJob).values(
                status="running", lease_owner="other-host:1:x", lease_until=utcnow() + timedelta(hours=1)
            )
        )

    seed(held)
    with TestClient(app=app) as client:
        login(client, "dadmin")
        for _ in range(3):
            progress = client.get(f"{URL}/migration", headers=HTMX).text
            assert 'value="0" max="3"' in progress and 'id="migration-running"' in progress
            assert f'hx-get="{URL}/migration"' in progress
        assert 'name="map_applied"' not in client.get(URL).text  # no second migration while one runs
        full = client.get(f"{URL}/migration")  # the same progress as a whole page, without htmx
        assert full.status_code == 200 and "<html" in full.text and 'value="0" max="3"' in full.text
    state = snapshot(seed, v2)
    assert state["on_v2"] == [False, False, False] and state["moved"] == 0 and state["events"] == []


def test_two_runners_never_migrate_a_case_twice(seed, runners, two_versions, job_id):
    """Two runners at once: one gets the job. A stalled runner whose lease ran out is refused after the takeover."""
    _refs, v2 = two_versions

    async def race(factory: Any) -> list[Any]:
        return list(
            await asyncio.gather(
                jobs.run_pending(factory, "runner-a", limit=1), jobs.run_pending(factory, "runner-b", limit=1)
            )
        )

    results = runners(race)
    assert sorted(len(r) for r in results) == [0, 1] and next(r for r in results if r) == [(job_id, "done")]
    state = snapshot(seed, v2)
    assert state["status"] == "done" and state["moved"] == 3
    assert state["on_v2"] == [True, True, True] and len(state["events"]) == 3 == len(set(state["events"]))


def test_a_stalled_runner_is_refused_after_another_took_over(seed, runners, two_versions, job_id):
    """A claims and moves one case, stalls past its lease; B takes over and finishes; A's next batch moves nothing."""
    _refs, v2 = two_versions

    async def first(factory: Any) -> tuple[Any, Any, Any]:
        claimed = await jobs.claim(factory, "runner-a")
        refused = await jobs.claim(factory, "runner-b")
        return claimed, refused, await jobs.run_batch(factory, job_id, "runner-a", limit=1)

    assert runners(first) == (job_id, None, "more")
    expire_lease(seed)
    assert runners(lambda f: jobs.run_pending(f, "runner-b", limit=1)) == [(job_id, "done")]
    assert runners(lambda f: jobs.run_batch(f, job_id, "runner-a", limit=1)) == "lost"
    state = snapshot(seed, v2)
    assert state["status"] == "done" and state["moved"] == 3 and len(state["events"]) == 3 == len(set(state["events"]))


def test_a_crash_mid_way_is_resumed_from_the_stored_plan(seed, runners, two_versions, job_id):
    """One case moves, the process dies in the next batch (nothing of it kept); once the lease expires it resumes."""
    _refs, v2 = two_versions

    def crash(case: Any) -> None:
        raise PowerCut

    async def until_crash(factory: Any) -> Any:
        assert await jobs.claim(factory, "runner-a") == job_id
        assert await jobs.run_batch(factory, job_id, "runner-a", limit=1) == "more"
        await jobs.run_batch(factory, job_id, "runner-a", limit=2, fail=crash)

    with pytest.raises(PowerCut):
        runners(until_crash)
    state = snapshot(seed, v2)
    assert state["status"] == "running" and state["moved"] == 1 and state["owner"] == "runner-a"
    assert state["on_v2"] == [True, False, False] and len(state["events"]) == 1
    assert runners(lambda f: jobs.run_pending(f, "runner-b")) == []  # the dead runner's lease still holds
    expire_lease(seed)
    assert runners(lambda f: jobs.run_pending(f, "runner-b")) == [(job_id, "done")]
    state = snapshot(seed, v2)
    assert state["status"] == "done" and state["moved"] == 3 and state["on_v2"] == [True, True, True]
    assert len(state["events"]) == 3 == len(set(state["events"]))


def test_an_error_ends_the_job_failed_with_its_reason_on_the_page(app, seed, runners, two_versions, job_id):
    """An error on a case fails the job (its batch kept nothing); the page shows the reason and offers a new start."""
    _refs, v2 = two_versions

    def broken(case: Any) -> None:
        raise RuntimeError("磁盘已满 disk full")

    async def run(factory: Any) -> Any:
        await jobs.claim(factory, "runner-a")
        return await jobs.run_job(factory, job_id, "runner-a", fail=broken)

    assert runners(run) == "failed"
    state = snapshot(seed, v2)
    assert state["status"] == "failed" and "disk full" in state["error"] and state["on_v2"] == [False] * 3
    with TestClient(app=app) as client:
        login(client, "dadmin")
        page = client.get(URL).text
        failed = page[page.index('id="migration-failed"') :]
        assert "迁移已中止" in failed and "磁盘已满 disk full" in failed
        assert 'name="map_applied"' in page  # may be started again


def test_the_cli_runs_pending_jobs_to_completion(database_url, monkeypatch, tmp_path, seed, two_versions, job_id):
    """`sanshe case-types migrate-run` finishes the stored job without the server; a second run finds nothing."""
    _refs, v2 = two_versions
    monkeypatch.setenv("SANSHE_DATABASE_URL", database_url)
    monkeypatch.setenv("SANSHE_VAR_DIR", str(tmp_path / "var"))
    if "case-types" not in cli.commands:
        _register()
    runner = CliRunner()
    result = runner.invoke(cli, ["case-types", "migrate-run", "--district", "haishu"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"#{job_id} meal_delivery → v2: 完成 / done, 3/3" in result.output
    state = snapshot(seed, v2)
    assert state["status"] == "done" and state["on_v2"] == [True, True, True] and len(state["events"]) == 3
    again = runner.invoke(cli, ["case-types", "migrate-run"], catch_exceptions=False)
    assert again.exit_code == 0 and "没有待运行的迁移" in again.output


def test_a_server_starting_resumes_a_job_left_by_a_stopped_one(app, seed, two_versions, job_id):
    """A job stored while no server ran (or left by one that stopped) is finished by the next server to start."""
    _refs, v2 = two_versions
    with TestClient(app=app):
        deadline = time.monotonic() + 20
        while snapshot(seed, v2)["status"] != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
    state = snapshot(seed, v2)
    assert state["status"] == "done" and state["on_v2"] == [True, True, True] and len(state["events"]) == 3


def _lease(seed: Any, owner: str, until: Any) -> None:
    async def run(session: Any) -> None:
        await session.execute(update(CaseMigrationJob).values(status="running", lease_owner=owner, lease_until=until))

    seed(run)


def test_after_a_crash_the_page_says_when_the_job_resumes(app, seed, two_versions, job_id):
    """A job held by a dead process shows "等待上一个进程的租约到期，预计 HH:MM:SS 恢复" (its lease's end), not running.

    The same for another machine's runner that stopped renewing its lease; once the lease
    has run out, looking at the page wakes this server's worker, which finishes the job.
    """
    _refs, v2 = two_versions
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    ends = utcnow().replace(microsecond=0) + timedelta(seconds=45)  # renewed 15 s ago: only the pid tells
    _lease(seed, f"{socket.gethostname()[:40]}:{int(gone.stdout)}:x", ends)
    expected = ends.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M:%S")
    with TestClient(app=app) as client:
        login(client, "dadmin")
        progress = client.get(f"{URL}/migration", headers=HTMX).text
        assert f"等待上一个进程的租约到期，预计 {expected} 恢复" in progress
        assert 'id="migration-running"' not in progress and 'value="0" max="3"' in progress
        assert f'hx-get="{URL}/migration"' in progress  # still polling
        client.cookies.set("sanshe_lang", "en")
        english = client.get(f"{URL}/migration", headers=HTMX).text
        assert f"Waiting for the previous process's lease to expire; expected to resume at {expected}." in english
        client.cookies.delete("sanshe_lang")
        _lease(seed, "other-host:1:x", utcnow() + timedelta(seconds=20))  # last renewed 40 s ago: stalled
        assert 'id="migration-waiting"' in client.get(f"{URL}/migration", headers=HTMX).text
        _lease(seed, "other-host:1:x", utcnow() + timedelta(seconds=58))  # renewed 2 s ago: moving
        assert 'id="migration-running"' in client.get(f"{URL}/migration", headers=HTMX).text
        expire_lease(seed)
        client.get(f"{URL}/migration", headers=HTMX)  # wakes the worker: no wait for its 30 s poll
        deadline = time.monotonic() + 20
        while snapshot(seed, v2)["status"] != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert 'id="migration-done"' in client.get(f"{URL}/migration", headers=HTMX).text
    assert snapshot(seed, v2)["on_v2"] == [True, True, True]
