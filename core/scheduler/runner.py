"""Running scheduled jobs once across every server: a lease row per job and district, a run row per run.

Each tick (:func:`run_due`) works out every job's latest slot (the scheduled moment at or
before now) for each district where the job's plugin is enabled, and runs the slots not
run yet. Before running, a scheduler takes the lease of (job, district) with one
conditional ``UPDATE`` — "no unexpired lease and the last slot run is older than this
one" — or, the first time, an ``INSERT`` of the lease row (a second insert fails on the
primary key). Only the scheduler whose statement changed the row runs the job, so a slot
runs once even when several servers tick at the same moment.

A job that raises is recorded as failed and retried :data:`RETRY_SECONDS` later (its slot
stays not run); one that succeeds marks its slot run. Missed slots are not caught up: a
server down for a day runs a daily job once when it comes back.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from core.db.base import utcnow
from core.db.tenancy import for_district
from core.models import District
from core.models.workdays import ScheduledJobLease, ScheduledJobRun
from core.plugins.enabled import enabled_keys
from core.scheduler.spec import JobContext, JobResult, JobSpec

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from core.plugins.host import PluginHost

__all__ = (
    "LEASE_SECONDS",
    "RETRY_SECONDS",
    "RegisteredJob",
    "RunOutcome",
    "UnknownJob",
    "new_owner",
    "registered_jobs",
    "run_due",
    "run_job_now",
    "scopes_of",
)

log = logging.getLogger(__name__)

LEASE_SECONDS = 600  # a job must finish within this; after it, another server may take the slot over
RETRY_SECONDS = 300  # a failed slot is tried again this long after the failure
CORE_KEY = "core"
NO_DISTRICT = 0  # scope_id of a job that is not per district
MAX_MESSAGE = 2000

Clock = Callable[[], datetime]


class UnknownJob(LookupError):
    """No installed plugin declares a scheduled job with this key."""


@dataclass(frozen=True)
class RegisteredJob:
    """A job spec and the key of the plugin (or ``core``) that declared it."""

    spec: JobSpec
    plugin: str


@dataclass(frozen=True)
class RunOutcome:
    """How one run ended (what :func:`run_due` and :func:`run_job_now` return, one per district run)."""

    key: str
    district_id: int | None
    status: str  # ok | failed
    message: str
    counts: dict[str, int]
    message_en: str = ""


def new_owner() -> str:
    """A lease owner id unique to this scheduler (process and object)."""
    return f"scheduler-{uuid.uuid4().hex[:16]}"


def registered_jobs(host: PluginHost) -> dict[str, RegisteredJob]:
    """Every job declared by the core and the installed plugins, by key (a key declared twice is an error)."""
    jobs: dict[str, RegisteredJob] = {}
    for plugin in sorted(host.installed):
        for spec in host.call_for(plugin, "scheduled_jobs") or []:
            if spec.key in jobs:
                msg = f"scheduled job {spec.key!r} is declared by {jobs[spec.key].plugin} and {plugin}"
                raise ValueError(msg)
            jobs[spec.key] = RegisteredJob(spec, plugin)
    return jobs


async def scopes_of(session: AsyncSession, host: PluginHost, job: RegisteredJob) -> list[District | None]:
    """Where ``job`` runs: every district where its plugin is enabled (the core: all), or once (``None``)."""
    if not job.spec.per_district:
        return [None]
    for_district(session, None)
    districts = list((await session.execute(select(District).order_by(District.id))).scalars())
    if job.plugin == CORE_KEY:
        return list(districts)
    return [d for d in districts if job.plugin in await enabled_keys(session, d, host)]


async def _claim(
    factory: async_sessionmaker[AsyncSession], key: str, scope: int, slot: datetime | None, now: datetime, owner: str
) -> bool:
    """Take the lease of (``key``, ``scope``) for ``slot`` (``None``: a manual run, whatever was run last)."""
    expired = or_(ScheduledJobLease.lease_until.is_(None), ScheduledJobLease.lease_until <= now)
    if slot is not None:  # no lease and no retry wait, and the slot not run yet
        free = expired
        due = or_(ScheduledJobLease.last_slot.is_(None), ScheduledJobLease.last_slot < slot)
    else:  # a manual run only waits for a run in progress
        free = or_(ScheduledJobLease.lease_owner.is_(None), expired)
        due = free
    try:
        async with factory() as session, session.begin():
            result = await session.execute(
                update(ScheduledJobLease)
                .where(ScheduledJobLease.job_key == key, ScheduledJobLease.scope_id == scope, free, due)
                .values(lease_owner=owner, lease_until=now + timedelta(seconds=LEASE_SECONDS))
                .execution_options(synchronize_session=False)
            )
            if getattr(result, "rowcount", 0) == 1:
                return True
            exists = await session.scalar(
                select(ScheduledJobLease.job_key).where(
                    ScheduledJobLease.job_key == key, ScheduledJobLease.scope_id == scope
                )
            )
            if exists is not None:
                return False
            session.add(
                ScheduledJobLease(
                    job_key=key,
                    scope_id=scope,
                    lease_owner=owner,
                    lease_until=now + timedelta(seconds=LEASE_SECONDS),
                    last_status="",
                )
            )
    except IntegrityError:  # another scheduler inserted the lease row first: it runs the slot
        return False
    return True


async def _run(
    factory: async_sessionmaker[AsyncSession],
    job: RegisteredJob,
    district_id: int | None,
    slot: datetime | None,
    now: datetime,
    owner: str,
    clock: Clock,
) -> RunOutcome:
    """Run a claimed job for one district, record the run and give the lease back."""
    key = job.spec.key
    async with factory() as session, session.begin():
        run = ScheduledJobRun(
            job_key=key,
            district_id=district_id,
            slot=slot,
            trigger="schedule" if slot is not None else "manual",
            started_at=now,
            status="running",
            message="",
            message_en="",
            counts={},
        )
        session.add(run)
        await session.flush()
        run_id = run.id
    status, message, message_en, counts = "ok", "", "", {}
    try:
        async with factory() as session:
            for_district(session, district_id)
            async with session.begin():
                district = await session.get(District, district_id) if district_id is not None else None
                result = await job.spec.run(JobContext(session, district, now, slot or now, key))
        if isinstance(result, JobResult):
            message, message_en, counts = result.message, result.message_en, dict(result.counts)
    except Exception as exc:
        status, message = "failed", f"{type(exc).__name__}: {exc}"
        message_en = message
        log.exception("scheduled job %s (district %s) failed", key, district_id)
    finished = clock()
    scope = district_id or NO_DISTRICT
    lease_values: dict[str, object] = {"lease_owner": None, "lease_until": None, "last_status": status}
    if slot is not None:
        if status == "ok":
            lease_values["last_slot"] = slot
        else:
            lease_values["lease_until"] = finished + timedelta(seconds=RETRY_SECONDS)
    async with factory() as session, session.begin():
        await session.execute(
            update(ScheduledJobRun)
            .where(ScheduledJobRun.id == run_id)
            .values(
                finished_at=finished,
                status=status,
                message=message[:MAX_MESSAGE],
                message_en=message_en[:MAX_MESSAGE],
                counts=counts,
            )
            .execution_options(synchronize_session=False)
        )
        await session.execute(
            update(ScheduledJobLease)
            .where(
                ScheduledJobLease.job_key == key,
                ScheduledJobLease.scope_id == scope,
                ScheduledJobLease.lease_owner == owner,
            )
            .values(**lease_values)
            .execution_options(synchronize_session=False)
        )
    return RunOutcome(key, district_id, status, message, counts, message_en)


async def run_due(
    factory: async_sessionmaker[AsyncSession],
    host: PluginHost,
    *,
    owner: str,
    clock: Clock = utcnow,
) -> list[RunOutcome]:
    """Run every (job, district) whose latest slot has not run yet and whose lease is free; return what ran.

    ``clock`` gives the time (tests inject one): ``clock()`` at the start decides what is due.
    """
    now = clock()
    jobs = registered_jobs(host)
    if not jobs:
        return []
    async with factory() as session:
        leases = {
            (row.job_key, row.scope_id): row for row in (await session.execute(select(ScheduledJobLease))).scalars()
        }
        todo: list[tuple[RegisteredJob, int | None, datetime]] = []
        for job in jobs.values():
            slot = job.spec.schedule.slot(now)
            for district in await scopes_of(session, host, job):
                district_id = district.id if district is not None else None
                lease = leases.get((job.spec.key, district_id or NO_DISTRICT))
                if lease is not None and (
                    (lease.last_slot is not None and lease.last_slot >= slot)
                    or (lease.lease_until is not None and lease.lease_until > now)
                ):
                    continue
                todo.append((job, district_id, slot))
    outcomes = []
    for job, district_id, slot in todo:
        if await _claim(factory, job.spec.key, district_id or NO_DISTRICT, slot, now, owner):
            outcomes.append(await _run(factory, job, district_id, slot, now, owner, clock))
    return outcomes


async def run_job_now(
    factory: async_sessionmaker[AsyncSession],
    host: PluginHost,
    key: str,
    *,
    district_code: str | None = None,
    owner: str | None = None,
    clock: Clock = utcnow,
) -> list[RunOutcome]:
    """Run ``key`` at once (for one district, or every district it runs in); a run in progress elsewhere is skipped.

    Raises :class:`UnknownJob` for a key no plugin declares, and ``LookupError`` for a
    district where the job does not run.
    """
    job = registered_jobs(host).get(key)
    if job is None:
        raise UnknownJob(key)
    owner = owner or new_owner()
    async with factory() as session:
        scopes = await scopes_of(session, host, job)
    if district_code is not None:
        scopes = [d for d in scopes if d is not None and d.code == district_code]
        if not scopes:
            msg = f"job {key!r} does not run in district {district_code!r}"
            raise LookupError(msg)
    outcomes = []
    for district in scopes:
        now = clock()
        district_id = district.id if district is not None else None
        if await _claim(factory, key, district_id or NO_DISTRICT, None, now, owner):
            outcomes.append(await _run(factory, job, district_id, None, now, owner, clock))
    return outcomes
