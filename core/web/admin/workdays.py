"""District admin: the working-day calendar (holidays, 调休, the district's own days) at ``/admin/calendar``."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import MediaType, Request, get, post

from core.context import RequestContext
from core.db.base import utcnow
from core.i18n import TIMEZONE
from core.i18n import gettext as _
from core.refusal import ServiceError
from core.web.admin.common import FormState, done, error_status, form_of, int_or_none, render, service_failure
from core.workdays import known_years, parse_day, remove_override, set_override, year_view
from core.workdays.service import FIRST_YEAR, LAST_YEAR

__all__ = ("CALENDAR_ROUTES",)

TEMPLATE = "core/admin/calendar.html"
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def weekday_name(day: date, locale: str) -> str:
    """``周六`` / ``Sat``."""
    return (WEEKDAYS_EN if locale.startswith("en") else WEEKDAYS_ZH)[day.weekday()]


def _year(value: Any) -> int:
    year = int_or_none(value)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        return utcnow().astimezone(TIMEZONE).year
    return year


async def _page(
    request: Request[Any, Any, Any], ctx: RequestContext, year: int, form: FormState | None = None, status: int = 200
) -> Any:
    assert ctx.district is not None
    days, known = await year_view(ctx.session, ctx.district, year)
    return await render(
        request,
        ctx,
        TEMPLATE,
        status_code=status,
        year=year,
        days=days,
        known=known,
        last_known=known_years()[1],
        weekday_name=weekday_name,
        form=form or FormState({"working": "0"}),
    )


@get("/admin/calendar", name="admin_calendar", include_in_schema=False, media_type=MediaType.HTML)
async def calendar_page(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """The year's holidays, adjusted working days and the district's own days, with a form to add one."""
    ctx.require("district", "admin")
    return await _page(request, ctx, _year(request.query_params.get("year")))


@post("/admin/calendar", include_in_schema=False, media_type=MediaType.HTML)
async def add_override(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Declare a day working or off for this district (replacing an earlier edit of that day)."""
    ctx.require("district", "admin")
    assert ctx.district is not None and ctx.user is not None
    data = await form_of(request)
    form = FormState({k: str(data.get(k, "")).strip() for k in ("date", "working", "note")})
    year = _year(data.get("year"))
    try:
        day = parse_day(form.value("date"))
        if form.value("working") not in {"0", "1"}:
            raise ServiceError(_("Choose working day or day off."), "working")
        await set_override(
            ctx.session,
            ctx.district,
            day,
            working=form.value("working") == "1",
            note=form.value("note"),
            user_id=ctx.user.id,
        )
    except ServiceError as exc:
        form.errors = exc.errors
        return await _page(request, ctx, year, form, error_status(request, exc))
    message = (
        _("%(date)s is now a working day here.", date=day.isoformat())
        if form.value("working") == "1"
        else _("%(date)s is now a day off here.", date=day.isoformat())
    )
    return await done(request, ctx, ctx.url(f"/admin/calendar?year={day.year}"), message)


@post("/admin/calendar/{day:str}/delete", include_in_schema=False, media_type=MediaType.HTML)
async def delete_override(request: Request[Any, Any, Any], ctx: RequestContext, day: str) -> Any:
    """Drop this district's edit of a day: the national calendar applies again."""
    ctx.require("district", "admin")
    assert ctx.district is not None
    try:
        parsed = parse_day(day)
        await remove_override(ctx.session, ctx.district, parsed)
    except ServiceError as exc:
        service_failure(exc)
        raise
    return await done(
        request,
        ctx,
        ctx.url(f"/admin/calendar?year={parsed.year}"),
        _("%(date)s follows the national calendar again.", date=parsed.isoformat()),
    )


CALENDAR_ROUTES = [calendar_page, add_override, delete_override]
