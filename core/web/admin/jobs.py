"""District admin: scheduled jobs — last and next run, run now, history (at ``/admin/jobs``)."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException

from core.context import RequestContext
from core.db import session_factory
from core.db.base import utcnow
from core.i18n import gettext as _
from core.scheduler import run_job_now
from core.scheduler.status import job_statuses, jobs_in, recent_runs
from core.web.admin.common import done, render

__all__ = ("JOB_ROUTES",)

LIST = "core/admin/jobs.html"
DETAIL = "core/admin/job.html"


@get("/admin/jobs", name="admin_jobs", include_in_schema=False, media_type=MediaType.HTML)
async def jobs_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Every job that runs for this district (and the platform's), with its last run and next run."""
    ctx.require("district", "admin")
    statuses = await job_statuses(ctx.session, ctx.host, utcnow(), ctx.district)
    return await render(request, ctx, LIST, statuses=statuses, may_run_global=ctx.is_platform_admin)


async def _job(ctx: RequestContext, job_key: str) -> Any:
    ctx.require("district", "admin")
    job = (await jobs_in(ctx.session, ctx.host, ctx.district)).get(job_key)
    if job is None:
        raise NotFoundException(_("No such scheduled job."))
    return job


@get("/admin/jobs/{job_key:str}", include_in_schema=False, media_type=MediaType.HTML)
async def job_page(request: Request[Any, Any, Any], ctx: RequestContext, job_key: str) -> Any:
    """One job: its schedule and its latest runs here."""
    job = await _job(ctx, job_key)
    runs = await recent_runs(ctx.session, job_key, ctx.district)
    next_run = job.spec.schedule.next_slot(utcnow())
    return await render(
        request,
        ctx,
        DETAIL,
        job=job,
        runs=runs,
        next_run=next_run,
        may_run=job.spec.per_district or ctx.is_platform_admin,
    )


@post("/admin/jobs/{job_key:str}/run", include_in_schema=False, media_type=MediaType.HTML)
async def run_now(request: Request[Any, Any, Any], ctx: RequestContext, job_key: str) -> Any:
    """Run the job now for this district (a job not per district: platform admins only)."""
    job = await _job(ctx, job_key)
    assert ctx.district is not None
    if not job.spec.per_district and not ctx.is_platform_admin:
        raise PermissionDeniedException(_("Only a platform admin may run this job."))
    # The job runs in its own transactions: end this request's first (SQLite has one writer).
    await ctx.session.commit()
    factory = session_factory(request.app.state.db_config.get_engine())
    outcomes = await run_job_now(
        factory, ctx.host, job_key, district_code=ctx.district.code if job.spec.per_district else None
    )
    name = job.spec.name(ctx.locale)
    en = ctx.locale.startswith("en")
    said = [o.message_en if en and o.message_en else o.message for o in outcomes]
    if not outcomes:
        message = _("%(name)s is running elsewhere; try again in a moment.", name=name)
    elif all(o.status == "ok" for o in outcomes):
        message = _("%(name)s ran: %(result)s", name=name, result=said[0] or _("done"))
    else:
        message = _("%(name)s failed: %(result)s", name=name, result=said[0])
    return await done(request, ctx, ctx.url(f"/admin/jobs/{job_key}"), message)


JOB_ROUTES = [jobs_page, job_page, run_now]
