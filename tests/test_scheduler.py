"""Scheduled jobs run once per slot across schedulers, per district where their plugin is on, failures retried."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from core.db import create_engine, session_factory
from core.models import District, ScheduledJobRun
from core.plugins.host import PluginHost
from core.scheduler import run_due, run_job_now
from core.scheduler.runner import RETRY_SECONDS, new_owner, registered_jobs
from core.scheduler.spec import daily_at, every_minutes
from core.services.enablement import enable_plugin
from tests.factories import make_district, make_org_unit
from tests.plugins_for_tests import job_hooks

pytestmark = pytest.mark.pgbouncer  # also through PgBouncer in transaction mode (core.testing.pgbouncer)

T0 = datetime(2026, 11, 18, 1, 7, tzinfo=UTC)  # 09:07 in Shanghai, a Wednesday


@pytest.fixture
def host():
    return PluginHost.load(frozenset(), entry_points=False, extra_modules=(job_hooks,))


@pytest.fixture
def world(seed, host):
    """haishu has the job_hooks plugin on (and one org unit); jiangbei does not."""
    job_hooks.CALLS.clear()
    job_hooks.FAIL["flaky"] = True

    async def build(session):
        from core.models import OrgUnitKind

        haishu = await make_district(session)
        await make_district(session, "jiangbei", "江北区")
        await make_org_unit(session, haishu, "s1", "鼓楼街道", OrgUnitKind.STREET)
        await enable_plugin(session, haishu, host, "job_hooks")

    seed(build)


def run(database_url, coro_fn):
    async def go():
        engine = create_engine(database_url)
        try:
            return await coro_fn(session_factory(engine))
        finally:
            await engine.dispose()

    return asyncio.run(go())


def history(database_url, key):
    async def read(factory):
        async with factory() as session:
            rows = await session.execute(
                select(ScheduledJobRun, District.code)
                .outerjoin(District, District.id == ScheduledJobRun.district_id)
                .where(ScheduledJobRun.job_key == key)
                .order_by(ScheduledJobRun.id)
            )
            return [(r.status, code, r.message, r.counts) for r, code in rows]

    return run(database_url, read)


def test_schedules():
    """Every 15 minutes slots at :00/:15/:30/:45; daily at 02:00 is 02:00 Shanghai time (18:00 UTC the day before)."""
    assert every_minutes(15).slot(T0) == datetime(2026, 11, 18, 1, 0, tzinfo=UTC)
    assert every_minutes(15).next_slot(T0) == datetime(2026, 11, 18, 1, 15, tzinfo=UTC)
    assert daily_at("02:00").slot(T0) == datetime(2026, 11, 17, 18, 0, tzinfo=UTC)
    assert daily_at("10:00").slot(T0) == datetime(2026, 11, 17, 2, 0, tzinfo=UTC)
    assert daily_at("10:00").next_slot(T0) == datetime(2026, 11, 18, 2, 0, tzinfo=UTC)


def test_hook_scheduled_jobs(host):
    """Jobs declared through scheduled_jobs are registered by key with their plugin: the core's holiday check too."""
    jobs = registered_jobs(host)
    assert jobs["workdays.next_year_check"].plugin == "core"
    assert {"job_hooks.count", "job_hooks.flaky"} <= set(jobs)


def test_a_due_job_runs_once_when_two_schedulers_race(world, host, database_url):
    """Two schedulers ticking at the same instant run the slot once; the next tick in the same slot runs nothing."""

    async def race(factory):
        first, second = await asyncio.gather(
            run_due(factory, host, owner=new_owner(), clock=lambda: T0),
            run_due(factory, host, owner=new_owner(), clock=lambda: T0),
        )
        again = await run_due(factory, host, owner=new_owner(), clock=lambda: T0 + timedelta(minutes=4))
        return first + second, again

    ran, again = run(database_url, race)
    counted = [o for o in ran if o.key == "job_hooks.count"]
    assert [(o.status, o.counts) for o in counted] == [("ok", {"org_units": 1})]
    assert job_hooks.CALLS.count(("job_hooks.count", "haishu")) == 1
    assert job_hooks.CALLS.count(("job_hooks.flaky", "haishu")) == 1
    assert again == []
    assert history(database_url, "job_hooks.count") == [("ok", "haishu", "已统计", {"org_units": 1})]


def test_next_slot_runs_again(world, host, database_url):
    """Fifteen minutes later the next slot runs."""

    async def ticks(factory):
        await run_due(factory, host, owner=new_owner(), clock=lambda: T0)
        return await run_due(factory, host, owner=new_owner(), clock=lambda: T0 + timedelta(minutes=15))

    later = run(database_url, ticks)
    assert [o.key for o in later if o.key == "job_hooks.count"] == ["job_hooks.count"]
    assert job_hooks.CALLS.count(("job_hooks.count", "haishu")) == 2


def test_disabled_plugin_job_does_not_run_in_that_district(world, host, database_url):
    """jiangbei has not enabled the plugin: none of its jobs run there; the core's jobs run
    (the holiday check once, for no district)."""

    async def tick(factory):
        return await run_due(factory, host, owner=new_owner(), clock=lambda: T0)

    ran = run(database_url, tick)
    assert ("job_hooks.count", "jiangbei") not in job_hooks.CALLS
    assert {(o.key, o.district_id is None) for o in ran} == {
        ("job_hooks.count", False),
        ("job_hooks.flaky", False),
        ("workdays.next_year_check", True),
        ("idempotency.purge", True),  # a core job for the whole platform: expired idempotency keys
        ("notifications.due_soon", False),  # a core job: in every district
        ("tasks.due", False),  # a core job: linked tasks due tomorrow or overdue, per district
    }


def test_failing_job_is_recorded_and_retried(world, host, database_url):
    """A failure is in the history with its message; it is not retried at once, but after the retry delay."""

    async def ticks(factory):
        first = await run_due(factory, host, owner=new_owner(), clock=lambda: T0)
        soon = await run_due(factory, host, owner=new_owner(), clock=lambda: T0 + timedelta(seconds=RETRY_SECONDS - 60))
        job_hooks.FAIL["flaky"] = False
        later = await run_due(
            factory, host, owner=new_owner(), clock=lambda: T0 + timedelta(seconds=RETRY_SECONDS + 60)
        )
        return first, soon, later

    first, soon, later = run(database_url, ticks)
    assert [o.status for o in first if o.key == "job_hooks.flaky"] == ["failed"]
    assert [o.key for o in soon if o.key == "job_hooks.flaky"] == []
    assert [o.status for o in later if o.key == "job_hooks.flaky"] == ["ok"]
    runs = history(database_url, "job_hooks.flaky")
    assert [(status, code) for status, code, _, _ in runs] == [("failed", "haishu"), ("ok", "haishu")]
    assert "RuntimeError: 上游服务不可用" in runs[0][2]


def test_run_now_for_one_district(world, host, database_url):
    """Running a job by hand runs it for the district asked, even when its slot already ran; others are refused."""

    async def manual(factory):
        await run_due(factory, host, owner=new_owner(), clock=lambda: T0)
        done = await run_job_now(factory, host, "job_hooks.count", district_code="haishu")
        with pytest.raises(LookupError):
            await run_job_now(factory, host, "job_hooks.count", district_code="jiangbei")
        return done

    done = run(database_url, manual)
    assert [(o.key, o.status) for o in done] == [("job_hooks.count", "ok")]
    assert job_hooks.CALLS.count(("job_hooks.count", "haishu")) == 2


def test_lifespan_starts_the_scheduler_only_when_asked(settings):
    """Apps built for tests have no scheduler; with scheduler=True the app's start-up starts one and stops it."""
    from dataclasses import replace

    from litestar.testing import TestClient

    from core.app import create_app
    from core.scheduler.worker import STATE_KEY, Scheduler

    with TestClient(app=create_app(settings)) as client:
        assert client.app.state.get(STATE_KEY) is None
    with TestClient(app=create_app(replace(settings, scheduler=True))) as client:
        scheduler = client.app.state.get(STATE_KEY)
        assert isinstance(scheduler, Scheduler)
        assert scheduler._task is not None and not scheduler._task.done()
