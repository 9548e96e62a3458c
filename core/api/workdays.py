"""The working-day calendar and scheduled jobs in the API (``/api/v1/districts/{code}/calendar…``, ``/jobs…``).

Same services and permission checks as the pages: reading the calendar needs
``dashboard:view``; editing it, and the jobs, need ``district:admin``.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Request, delete, get, post, put
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.params import Parameter

from core.api.admin import service_errors
from core.context import RequestContext
from core.db import session_factory
from core.db.base import utcnow
from core.i18n import TIMEZONE
from core.i18n import gettext as _
from core.models import District
from core.scheduler import run_job_now
from core.scheduler.status import job_statuses, jobs_in, recent_runs
from core.workdays import calendar_for, known_years, national_day, parse_day, remove_override, set_override, year_view
from core.workdays.service import FIRST_YEAR, LAST_YEAR

__all__ = ("WORKDAYS_API",)

MAX_WORKING_DAYS = 1000


class CalendarDayOut(msgspec.Struct):
    """A day of a district's calendar: worked here or not, the national calendar's view, the district's edit."""

    date: str
    working: bool
    national_kind: str  # workday | weekend | holiday | adjusted_workday (调休)
    national_working: bool
    holiday_zh: str
    holiday_en: str
    overridden: bool
    note: str


class CalendarYearOut(msgspec.Struct):
    """A year's holidays, adjusted working days and the district's edits."""

    year: int
    known: bool  # False: the national holidays of this year are not known (weekends only)
    known_until: int
    days: list[CalendarDayOut]


class OverrideIn(msgspec.Struct):
    """Declare a day working (``true``) or off (``false``) for the district."""

    working: bool
    note: Annotated[str, msgspec.Meta(max_length=200)] = ""


class WorkingDaysOut(msgspec.Struct):
    start: str
    n: int
    date: str


class JobRunOut(msgspec.Struct):
    district: str | None
    trigger: str  # schedule | manual
    started_at: str
    finished_at: str | None
    status: str  # running | ok | failed
    message: str
    message_en: str
    counts: dict[str, int]


class JobOut(msgspec.Struct):
    key: str
    name_zh: str
    name_en: str
    plugin: str
    schedule: str
    per_district: bool
    next_run: str
    last_run: JobRunOut | None


def _district(ctx: RequestContext) -> District:
    assert ctx.district is not None
    return ctx.district


def _parse(value: str) -> Any:
    with service_errors():
        return parse_day(value)


async def _day_out(ctx: RequestContext, value: str) -> CalendarDayOut:
    day = _parse(value)
    cal = await calendar_for(ctx.session, _district(ctx))
    n = national_day(day)
    return CalendarDayOut(
        day.isoformat(),
        cal.is_working_day(day),
        n.kind,
        n.working,
        n.holiday_zh,
        n.holiday_en,
        day in cal.overrides,
        cal.notes.get(day, ""),
    )


@get("/calendar", summary="A year of the district's working-day calendar (holidays, 调休, the district's edits)")
async def calendar_year(
    ctx: RequestContext, year: Annotated[int | None, Parameter(ge=FIRST_YEAR, le=LAST_YEAR)] = None
) -> CalendarYearOut:
    ctx.require("dashboard", "view")
    year = year or utcnow().astimezone(TIMEZONE).year
    days, known = await year_view(ctx.session, _district(ctx), year)
    return CalendarYearOut(year, known, known_years()[1], [msgspec.convert(d.to_dict(), CalendarDayOut) for d in days])


@get("/calendar/days/{day:str}", summary="Whether one day is a working day in the district")
async def calendar_day(ctx: RequestContext, day: str) -> CalendarDayOut:
    ctx.require("dashboard", "view")
    return await _day_out(ctx, day)


@get(
    "/calendar/add-working-days",
    summary="The day N working days after a date (the date itself not counted; default: the next working day)",
)
async def calendar_add(
    ctx: RequestContext,
    start: str | None = None,
    n: Annotated[int, Parameter(ge=-MAX_WORKING_DAYS, le=MAX_WORKING_DAYS)] = 1,
) -> WorkingDaysOut:
    ctx.require("dashboard", "view")
    day = _parse(start) if start is not None else utcnow().astimezone(TIMEZONE).date()
    result = (await calendar_for(ctx.session, _district(ctx))).add_working_days(day, n)
    return WorkingDaysOut(day.isoformat(), n, result.isoformat())


@put("/calendar/overrides/{day:str}", summary="Declare a day working or off for the district")
async def put_override(ctx: RequestContext, day: str, data: OverrideIn) -> CalendarDayOut:
    ctx.require("district", "admin")
    assert ctx.user is not None
    parsed = _parse(day)
    with service_errors():
        await set_override(
            ctx.session, _district(ctx), parsed, working=data.working, note=data.note, user_id=ctx.user.id
        )
    return await _day_out(ctx, day)


@delete("/calendar/overrides/{day:str}", summary="Drop the district's edit of a day", status_code=204)
async def delete_override(ctx: RequestContext, day: str) -> None:
    ctx.require("district", "admin")
    parsed = _parse(day)
    with service_errors():
        await remove_override(ctx.session, _district(ctx), parsed)


def _run_out(r: Any) -> JobRunOut:
    return msgspec.convert(r.to_dict(), JobRunOut)


@get("/jobs", summary="Scheduled jobs of the district: schedule, last run, next run")
async def list_jobs(ctx: RequestContext) -> list[JobOut]:
    ctx.require("district", "admin")
    statuses = await job_statuses(ctx.session, ctx.host, utcnow(), _district(ctx))
    return [msgspec.convert(s.to_dict(ctx.locale), JobOut) for s in statuses]


@get("/jobs/{job_key:str}/runs", summary="A scheduled job's latest runs here, newest first")
async def job_runs(ctx: RequestContext, job_key: str) -> list[JobRunOut]:
    ctx.require("district", "admin")
    if job_key not in await jobs_in(ctx.session, ctx.host, _district(ctx)):
        raise NotFoundException(_("No such scheduled job."))
    return [_run_out(r) for r in await recent_runs(ctx.session, job_key, _district(ctx))]


@post("/jobs/{job_key:str}/run", summary="Run a scheduled job now for the district", status_code=200)
async def run_job(request: Request[Any, Any, Any], ctx: RequestContext, job_key: str) -> list[JobRunOut]:
    ctx.require("district", "admin")
    job = (await jobs_in(ctx.session, ctx.host, _district(ctx))).get(job_key)
    if job is None:
        raise NotFoundException(_("No such scheduled job."))
    if not job.spec.per_district and not ctx.is_platform_admin:
        raise PermissionDeniedException(_("Only a platform admin may run this job."))
    await ctx.session.commit()
    factory = session_factory(request.app.state.db_config.get_engine())
    outcomes = await run_job_now(
        factory, ctx.host, job_key, district_code=_district(ctx).code if job.spec.per_district else None
    )
    if not outcomes:
        raise HTTPException(status_code=409, detail=_("The job is running elsewhere; try again in a moment."))
    runs = await recent_runs(ctx.session, job_key, _district(ctx), limit=len(outcomes))
    return [_run_out(r) for r in runs]


WORKDAYS_API = [calendar_year, calendar_day, calendar_add, put_override, delete_override, list_jobs, job_runs, run_job]
