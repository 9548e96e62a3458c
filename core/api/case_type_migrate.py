"""``/builder/case-types/{key}/migration``: moving open cases of older versions onto the newest, over the API.

The same as the type's page (:mod:`core.web.admin.case_type_migrate`): ``GET`` says which
states of older versions have open cases, the newest version's states and the newest
job's progress; ``POST`` stores the plan with the state mapping and answers at once (202)
— the server's worker, or ``sanshe case-types migrate-run``, moves the cases.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Router, get, post
from litestar.exceptions import HTTPException, NotFoundException

from core.api.text import Code
from core.builder import jobs, migrate
from core.builder import service as builder
from core.builder.worker import wake
from core.cases.types import definition_of
from core.context import RequestContext
from core.i18n import gettext
from core.models.cases import CaseTypeVersion
from core.models.jobs import CaseMigrationJob

__all__ = ("MIGRATION_API",)


class MigrationJobOut(msgspec.Struct):
    id: int
    status: str  # pending | running | done | failed
    target_version: int
    mapping: dict[str, str]
    total: int
    moved: int
    percent: int
    error: str
    created_at: datetime
    finished_at: datetime | None
    waiting_until: datetime | None  # a dead runner's lease: the job resumes at this time


class MigrationOut(msgspec.Struct):
    key: str
    target_version: int | None
    open_states: dict[str, int]  # state of an older version → open cases in it (each must be mapped)
    target_states: list[str]
    job: MigrationJobOut | None


class MigrationIn(msgspec.Struct):
    mapping: dict[Code, Code]  # state of an older version → state of the newest version


def _job_out(job: CaseMigrationJob) -> MigrationJobOut:
    done = job.total if job.status == "done" else min(job.moved, job.total)
    return MigrationJobOut(
        id=job.id,
        status=job.status,
        target_version=job.target_version,
        mapping={str(k): str(v) for k, v in job.mapping.items()},
        total=job.total,
        moved=done,
        percent=100 if job.total == 0 and job.status == "done" else (done * 100 // job.total if job.total else 0),
        error=job.error,
        created_at=job.created_at,
        finished_at=job.finished_at,
        waiting_until=jobs.waiting_for_lease(job),
    )


async def _target(ctx: RequestContext, type_key: str) -> CaseTypeVersion:
    assert ctx.district is not None
    rows = await builder.versions_of(ctx.session, ctx.district, type_key)
    target = next((r for r in rows if r.status == "published"), None)
    if target is None:
        raise NotFoundException(gettext("No such case type."))
    return target


@get(
    "/builder/case-types/{type_key:str}/migration", summary="Open cases of older versions and the newest migration job"
)
async def migration_status(ctx: RequestContext, type_key: str) -> MigrationOut:
    ctx.require("district", "admin")
    assert ctx.district is not None
    target = await _target(ctx, type_key)
    job = await jobs.latest_job(ctx.session, ctx.district, type_key)
    return MigrationOut(
        key=type_key,
        target_version=target.version,
        open_states=await migrate.open_states(ctx.session, ctx.district, target),
        target_states=[s.key for s in definition_of(target).workflow.states],
        job=_job_out(job) if job is not None else None,
    )


@post(
    "/builder/case-types/{type_key:str}/migration",
    status_code=202,
    summary="Start moving open cases of older versions onto the newest (400 unmapped state, 409 one under way)",
    after_response=wake,
)
async def start_migration(ctx: RequestContext, type_key: str, data: MigrationIn) -> MigrationJobOut:
    ctx.require("district", "admin")
    assert ctx.district is not None and ctx.user is not None
    target = await _target(ctx, type_key)
    try:
        job = await jobs.start_job(ctx.session, ctx.district, target, dict(data.mapping), user_id=ctx.user.id)
    except migrate.MigrationError as exc:
        raise HTTPException(
            detail=gettext("Map every state that has open cases to a state of the new version."),
            status_code=400,
            extra={"errors": exc.problems},
        ) from exc
    except jobs.JobBusy as exc:
        raise HTTPException(
            detail=gettext("A migration of this case type is already under way."),
            status_code=409,
            extra={"job": exc.job.id},
        ) from exc
    return _job_out(job)


MIGRATION_API = Router(path="/", route_handlers=[migration_status, start_migration], tags=["builder"])
