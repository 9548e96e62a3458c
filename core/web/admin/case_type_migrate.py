"""Moving open cases of older versions onto the newest one, from the type's page, as a background job.

Posting the mapping stores the plan (:func:`core.builder.jobs.start_job`) and wakes this
process's worker; the worker moves the cases with no page open. The progress bar polls
a read-only fragment until the job is done or failed (with its reason).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.response import Template

from core.builder import jobs, migrate
from core.builder import service as builder
from core.builder.worker import wake
from core.cases.types import definition_of
from core.context import RequestContext
from core.db import utcnow
from core.i18n import TIMEZONE
from core.i18n import gettext as _
from core.models import User
from core.models.cases import CaseTypeVersion
from core.models.jobs import CaseMigrationJob
from core.web.forms import read_posted
from core.web.pages import is_fragment, page

__all__ = ("MIGRATION_ROUTES", "migration_context")

FRAGMENT = "core/admin/builder/migration.html"


async def newest_published(ctx: RequestContext, type_key: str) -> CaseTypeVersion | None:
    assert ctx.district is not None
    rows = await builder.versions_of(ctx.session, ctx.district, type_key)
    return next((r for r in rows if r.status == "published"), None)


async def job_context(ctx: RequestContext, job: CaseMigrationJob | None) -> dict[str, Any]:
    """The job as the progress fragment shows it: counts, who started it, its end."""
    if job is None:
        return {"job": None}
    by = await ctx.session.get(User, job.started_by_id) if job.started_by_id else None
    done = job.total if job.status == "done" else min(job.moved, job.total)
    resume = jobs.waiting_for_lease(job)
    return {
        "job": job,
        "job_by": by.label if by is not None else "",
        "job_done": done,
        # A runner died: the job waits for its lease to run out (HH:MM:SS, Beijing time).
        "job_resume_at": resume.astimezone(TIMEZONE).strftime("%H:%M:%S") if resume is not None else "",
        "job_lease_over": resume is not None and resume <= utcnow(),
    }


async def migration_context(ctx: RequestContext, type_key: str) -> dict[str, Any]:
    """What the type's page needs to offer a migration: target, open states of older versions, its states, the job."""
    assert ctx.district is not None
    target = await newest_published(ctx, type_key)
    job = await jobs.latest_job(ctx.session, ctx.district, type_key)
    if target is None:
        return {"older": {}, **await job_context(ctx, job)}
    states = [(s.key, s.label(ctx.locale)) for s in definition_of(target).workflow.states]
    return {
        "older": await migrate.open_states(ctx.session, ctx.district, target),
        "target": target,
        "target_states": states,
        **await job_context(ctx, job),
    }


async def _answer(request: Request[Any, Any, Any], ctx: RequestContext, context: dict[str, Any]) -> Any:
    if is_fragment(request):
        return Template(FRAGMENT, context={"ctx": ctx, **context})
    return await page(request, ctx, "core/admin/builder/migration_page.html", **context)


@post(
    "/admin/case-types/{type_key:str}/migrate", include_in_schema=False, media_type=MediaType.HTML, after_response=wake
)
async def migrate_cases(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str) -> Any:
    """Store the migration with the posted mapping (refused if incomplete or one is under way); answer its progress."""
    ctx.require("district", "admin")
    assert ctx.district is not None and ctx.user is not None
    target = await newest_published(ctx, type_key)
    if target is None:
        raise NotFoundException(_("No such case type."))
    posted, _files = await read_posted(request)
    mapping = {k[4:]: str(posted.get(k) or "") for k in posted.keys() if k.startswith("map_")}  # noqa: SIM118
    context: dict[str, Any] = {"type_key": type_key, "errors": {}, "busy": False}
    try:
        job = await jobs.start_job(ctx.session, ctx.district, target, mapping, user_id=ctx.user.id)
    except migrate.MigrationError as exc:
        context["errors"] = exc.problems
        job = None
    except jobs.JobBusy as exc:
        job, context["busy"] = exc.job, True
    context.update(await job_context(ctx, job))
    return await _answer(request, ctx, context)


@get("/admin/case-types/{type_key:str}/migration", include_in_schema=False, media_type=MediaType.HTML)
async def migration_progress(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str) -> Any:
    """The progress of the key's newest migration (read only: the worker moves the cases)."""
    ctx.require("district", "admin")
    assert ctx.district is not None
    job = await jobs.latest_job(ctx.session, ctx.district, type_key)
    context = await job_context(ctx, job)
    if context.get("job_lease_over"):
        await wake(request)  # the lease ran out: this process's worker takes the job now, not at its next poll
    return await _answer(request, ctx, {"type_key": type_key, "errors": {}, "busy": False, **context})


MIGRATION_ROUTES = [migrate_cases, migration_progress]
