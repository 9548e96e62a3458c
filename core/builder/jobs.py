"""Migrations of open cases as persisted background jobs: start, claim with a lease, run batch by batch.

Starting a migration stores its plan (key, target version, state mapping, who, when) as a
:class:`~core.models.jobs.CaseMigrationJob`; nothing moves in the request. A runner (the
worker inside each server process, see :mod:`core.builder.worker`, or ``sanshe case-types
migrate-run``) claims a job by a conditional update of its lease, then moves one batch per
transaction: the transaction first renews the lease (so it holds the job row until it
commits, and stops if another runner took the job over), moves the batch (each case all
or nothing, with its ``migrated`` event), adds to ``moved`` and commits. Two runners never
move the same case. A runner that dies leaves the job ``running`` with a lease that
expires; the next runner resumes it, and cases already moved are not picked again.

A job ends ``done`` when no open case of an older version is left, or ``failed`` with the
reason (a state with open cases no longer mapped, an error on a case: nothing of that
batch is kept).
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from sqlalchemy import and_, or_, select, update

from core.builder import migrate
from core.db import for_district, utcnow
from core.models import District
from core.models.cases import CaseTypeVersion
from core.models.jobs import CaseMigrationJob

if TYPE_CHECKING:
    from collections.abc import Callable

    from sqlalchemy import ColumnElement
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from core.models.cases import Case

__all__ = (
    "BATCH",
    "LEASE",
    "JobBusy",
    "claim",
    "claimable",
    "latest_job",
    "new_owner",
    "release",
    "run_batch",
    "run_job",
    "run_pending",
    "start_job",
    "waiting_for_lease",
)

BATCH = 20
LEASE = timedelta(seconds=60)

# A runner renews its lease at the start of every batch (a batch takes a second or two): a
# lease not renewed for this long belongs to a runner that died (or hangs).
STALLED = timedelta(seconds=20)

Step = Literal["more", "done", "failed", "lost"]


class JobBusy(Exception):
    """The key already has a migration that has not finished."""

    def __init__(self, job: CaseMigrationJob) -> None:
        super().__init__(f"job {job.id} is {job.status}")
        self.job = job


def new_owner() -> str:
    """A name for one runner: host, process and a random part (two runners of a process differ)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _owner_dead(owner: str) -> bool:
    """Whether ``owner`` (``host:pid:random``) is a process of this machine that no longer exists."""
    host, _, rest = owner.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname()[:40] or not pid.isdigit():
        return False  # another machine's runner: only its lease can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):
        return False
    return False


def waiting_for_lease(job: CaseMigrationJob, now: datetime | None = None) -> datetime | None:
    """When a running job left by a dead runner resumes (its lease's end), or ``None`` while a runner moves it.

    A job is waiting when its lease ran out or was given back (the next runner takes it:
    now), or when the runner holding it is dead (a process of this machine that no longer
    exists) or has not renewed its lease for :data:`STALLED` (it renews it every batch):
    then at the lease's end, when another runner may claim it.
    """
    if job.status != "running":
        return None
    now = now or utcnow()
    if job.lease_owner is None or job.lease_until is None or job.lease_until <= now:
        return now
    if _owner_dead(job.lease_owner) or now - (job.lease_until - LEASE) > STALLED:
        return job.lease_until
    return None


async def latest_job(session: AsyncSession, district: District, key: str) -> CaseMigrationJob | None:
    """The newest migration job of the key (finished or not)."""
    return (
        await session.execute(
            select(CaseMigrationJob)
            .where(CaseMigrationJob.district_id == district.id, CaseMigrationJob.case_type_key == key)
            .order_by(CaseMigrationJob.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def start_job(
    session: AsyncSession,
    district: District,
    target: CaseTypeVersion,
    mapping: dict[str, str],
    *,
    user_id: int | None,
) -> CaseMigrationJob:
    """Persist the plan of a migration onto ``target`` (the mapping is checked first).

    Raises :class:`~core.builder.migrate.MigrationError` for an incomplete mapping and
    :class:`JobBusy` while another migration of the key is pending or running.
    """
    await migrate.check_mapping(session, district, target, mapping)
    previous = await latest_job(session, district, target.key)
    if previous is not None and not previous.finished:
        raise JobBusy(previous)
    states = await migrate.open_states(session, district, target)
    job = CaseMigrationJob(
        district_id=district.id,
        case_type_key=target.key,
        target_version_id=target.id,
        target_version=target.version,
        mapping={k: v for k, v in mapping.items() if k in states},
        status="pending",
        error="",
        total=sum(states.values()),
        moved=0,
        started_by_id=user_id,
        created_at=utcnow(),
    )
    session.add(job)
    await session.flush()
    return job


def _claimable() -> ColumnElement[bool]:
    now = utcnow()
    return and_(
        CaseMigrationJob.status.in_(("pending", "running")),
        or_(CaseMigrationJob.lease_until.is_(None), CaseMigrationJob.lease_until < now),
    )


async def claimable(factory: async_sessionmaker[AsyncSession]) -> bool:
    """Whether some job is waiting for a runner (unfinished, with no unexpired lease)."""
    async with factory() as session:
        found = await session.execute(select(CaseMigrationJob.id).where(_claimable()).limit(1))
        return found.first() is not None


async def claim(
    factory: async_sessionmaker[AsyncSession], owner: str, *, district_id: int | None = None, lease: timedelta = LEASE
) -> int | None:
    """Take the lease of the oldest unfinished job nobody holds (or whose holder's lease ran out)."""
    async with factory() as session:
        query = select(CaseMigrationJob.id).where(_claimable()).order_by(CaseMigrationJob.id).limit(10)
        if district_id is not None:
            query = query.where(CaseMigrationJob.district_id == district_id)
        for job_id in list((await session.execute(query)).scalars()):
            taken = await session.execute(
                update(CaseMigrationJob)
                .where(CaseMigrationJob.id == job_id, _claimable())
                .values(lease_owner=owner, lease_until=utcnow() + lease, status="running")
                .execution_options(synchronize_session=False)
            )
            await session.commit()
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                return int(job_id)
        return None


async def release(factory: async_sessionmaker[AsyncSession], owner: str) -> None:
    """Give back the leases ``owner`` holds (a stopping process): the jobs stay ``running``, free to claim."""
    async with factory() as session:
        await session.execute(
            update(CaseMigrationJob)
            .where(CaseMigrationJob.lease_owner == owner, CaseMigrationJob.status == "running")
            .values(lease_owner=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        await session.commit()


async def _finish(
    factory: async_sessionmaker[AsyncSession], job_id: int, owner: str, status: str, error: str = ""
) -> bool:
    async with factory() as session:
        ended = await session.execute(
            update(CaseMigrationJob)
            .where(CaseMigrationJob.id == job_id, CaseMigrationJob.lease_owner == owner)
            .values(status=status, error=error[:2000], finished_at=utcnow(), lease_owner=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        await session.commit()
        return bool(ended.rowcount == 1)  # type: ignore[attr-defined]


async def run_batch(
    factory: async_sessionmaker[AsyncSession],
    job_id: int,
    owner: str,
    *,
    limit: int = BATCH,
    fail: Callable[[Case], None] | None = None,
    lease: timedelta = LEASE,
) -> Step:
    """Move the next batch of a job whose lease ``owner`` holds; say what is left to do.

    ``"lost"``: the lease is no longer ours (nothing was moved). An exception while moving
    ends the job ``failed`` with its reason; a crash (the process dies, or a
    ``BaseException`` such as cancellation) leaves it to be resumed once the lease expires.
    """
    async with factory() as session:
        renewed = await session.execute(
            update(CaseMigrationJob)
            .where(
                CaseMigrationJob.id == job_id,
                CaseMigrationJob.lease_owner == owner,
                CaseMigrationJob.status == "running",
            )
            .values(lease_until=utcnow() + lease)
            .execution_options(synchronize_session=False)
        )
        if renewed.rowcount != 1:  # type: ignore[attr-defined]
            await session.rollback()
            return "lost"
        job = await session.get(CaseMigrationJob, job_id)
        assert job is not None
        district = await session.get(District, job.district_id)
        target = await session.get(CaseTypeVersion, job.target_version_id)
        assert district is not None and target is not None
        for_district(session, district.id)
        try:
            moved = await migrate.migrate_batch(
                session, district, target, dict(job.mapping), actor_id=job.started_by_id, limit=limit, fail=fail
            )
        except migrate.MigrationError as exc:
            await session.rollback()
            await _finish(factory, job_id, owner, "failed", "; ".join(exc.problems.values()))
            return "failed"
        except Exception as exc:  # noqa: BLE001 - any error of a case ends the job with its reason
            await session.rollback()
            await _finish(factory, job_id, owner, "failed", f"{type(exc).__name__}: {exc}")
            return "failed"
        left = (await migrate.progress(session, district, target)).remaining
        job.moved = job.moved + moved
        if left == 0:
            job.status, job.finished_at, job.lease_owner, job.lease_until = "done", utcnow(), None, None
        await session.commit()
        return "done" if left == 0 else "more"


async def run_job(
    factory: async_sessionmaker[AsyncSession],
    job_id: int,
    owner: str,
    *,
    limit: int = BATCH,
    fail: Callable[[Case], None] | None = None,
    lease: timedelta = LEASE,
) -> Step:
    """Run a claimed job batch by batch until it is done, failed, or its lease is lost."""
    while True:
        step = await run_batch(factory, job_id, owner, limit=limit, fail=fail, lease=lease)
        if step != "more":
            return step


async def run_pending(
    factory: async_sessionmaker[AsyncSession],
    owner: str | None = None,
    *,
    district_id: int | None = None,
    limit: int = BATCH,
    lease: timedelta = LEASE,
) -> list[tuple[int, Step]]:
    """Claim and run every job that can be claimed now, one after the other; ``(job id, outcome)`` each."""
    owner = owner or new_owner()
    out: list[tuple[int, Step]] = []
    while (job_id := await claim(factory, owner, district_id=district_id, lease=lease)) is not None:
        out.append((job_id, await run_job(factory, job_id, owner, limit=limit, lease=lease)))
    return out
