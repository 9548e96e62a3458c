"""A test plugin that declares scheduled jobs: one per district every 15 minutes, one that fails until told not to."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from core.hookspecs import hookimpl
from core.models import OrgUnit
from core.plugins import Manifest
from core.scheduler import JobContext, JobResult, JobSpec, daily_at, every_minutes

CALLS: list[tuple[str, str | None]] = []
FAIL = {"flaky": True}


@hookimpl
def plugin_manifest() -> Manifest:
    return Manifest(key="job_hooks", name_zh="定时任务测试", name_en="Job hooks", version="1.0.0")


async def _count(job: JobContext) -> JobResult:
    await asyncio.sleep(0.05)  # long enough for a racing scheduler to try the same slot
    units = len((await job.session.execute(select(OrgUnit.id))).all())
    CALLS.append((job.key, job.district.code if job.district else None))
    return JobResult("已统计", {"org_units": units}, message_en="Counted")


async def _flaky(job: JobContext) -> JobResult:
    CALLS.append((job.key, job.district.code if job.district else None))
    if FAIL["flaky"]:
        msg = "上游服务不可用 / upstream down"
        raise RuntimeError(msg)
    return JobResult("正常", message_en="Fine")


@hookimpl
def scheduled_jobs() -> list[JobSpec]:
    return [
        JobSpec("job_hooks.count", "统计", "Count", every_minutes(15), _count),
        JobSpec("job_hooks.flaky", "不稳定", "Flaky", daily_at("02:00"), _flaky),
    ]
