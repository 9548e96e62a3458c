"""The patrol rota's pages: the committee's week, the plan forms, the patroller's 我的排班 on the phone.

- ``/parking/estates/{id}/rota``       the week's shifts (a table on a desktop, a list on a phone): who is on,
                                        open places, given up, planned / under way / done / missed, rounds' counts
- ``/parking/estates/{id}/rota/plan``  one shift or a recurring plan (who runs the estate)
- ``/parking/estates/{id}/my-shifts``  a patroller: my next shifts (give one up), open places (volunteer)
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from litestar import Request, Response, get, post

from core.plugin_api import (
    Forbidden,
    Form,
    FormState,
    RequestContext,
    act,
    attempt,
    error_status,
    flashes,
    page,
    redirect,
    utcnow,
)
from core.plugin_api import gettext as _
from plugins.parking import patrols, rota, service
from plugins.parking.manifest import KEY
from plugins.parking.models import ParkingEstate
from plugins.parking.routes import may_run
from plugins.parking.routes_patrols import _estate_access

__all__ = ("ROTA_ROUTES", "form_values")

MULTI = ("days", "patrollers")


def _monday(raw: str | None) -> date:
    try:
        day = date.fromisoformat(raw or "")
    except ValueError:
        day = patrols.today()
    return day - timedelta(days=day.isoweekday() - 1)


async def form_values(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The posted form with the multi-valued fields (days of the week, patrollers) as lists."""
    posted = await request.form()
    values: dict[str, Any] = {k: v for k, v in posted.items() if isinstance(v, str)}
    for name in MULTI:
        values[name] = [v for v in posted.getall(name) if isinstance(v, str)] if name in posted else []
    return values


def rota_helpers() -> dict[str, Any]:
    return {"shift_status": rota.status_label, "day_label": rota.day_label, "local": _short_time}


def _short_time(moment: Any) -> str:
    return rota.local(moment).strftime("%m-%d %H:%M") if moment else ""


async def _run_or_patrol(ctx: RequestContext, estate: ParkingEstate) -> tuple[bool, bool]:
    run, patrol = await _estate_access(ctx, estate)
    if not (run or patrol):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))
    return run, patrol


async def _require_run(ctx: RequestContext, estate: ParkingEstate) -> None:
    if not await may_run(ctx, estate):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))


# ---------------------------------------------------------------- the committee's week


@get("/parking/estates/{estate_id:int}/rota", name="parking:rota")
async def rota_page(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, week: str | None = None
) -> Response[Any]:
    """The week's shifts with their patrollers, open places, the ones given up and what their rounds found."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    run, patrol = await _run_or_patrol(ctx, estate)
    monday = _monday(week)
    views = await rota.shifts(ctx.session, estate.id, monday, monday + timedelta(days=6))
    return await page(
        request,
        ctx,
        "parking/patrols/rota.html",
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        monday=monday,
        days=[monday + timedelta(days=i) for i in range(7)],
        views=views,
        prev_week=(monday - timedelta(days=7)).isoformat(),
        next_week=(monday + timedelta(days=7)).isoformat(),
        this_week=_monday(None) == monday,
        missed=await rota.missed_count(ctx.session, estate.id),
        patrollers=await patrols.patroller_choices(ctx.session, estate.id, None),
        can_run=run,
        is_patroller=patrol,
        now=rota.local(utcnow()),
        notices=await flashes(request, ctx),
        **rota_helpers(),
    )


def _week_of(view_start: Any) -> str:
    return _monday(rota.local(view_start).date().isoformat()).isoformat()


@post("/parking/shifts/{shift_id:int}/assign", name="parking:shift-assign", status_code=200)
async def shift_assign(
    request: Request[Any, Any, Any], ctx: RequestContext, shift_id: int, data: Form
) -> Response[Any]:
    """The committee puts a patroller on a shift (an open place, no overlapping shift)."""
    ctx.require(KEY, "view")
    shift = await rota.shift_or_404(ctx.session, shift_id)
    await _require_run(ctx, await service.estate_or_404(ctx.session, shift.parking_estate_id))
    by = ctx.user.id if ctx.user else None
    back = ctx.url(f"/parking/estates/{shift.parking_estate_id}/rota?week={_week_of(shift.starts_at)}")
    return await act(
        request,
        ctx,
        back,
        lambda: rota.assign(ctx.session, shift_id, data.get("patroller_id"), by),
        _("Patroller put on the shift."),
    )


@post("/parking/shifts/{shift_id:int}/unassign", name="parking:shift-unassign", status_code=200)
async def shift_unassign(
    request: Request[Any, Any, Any], ctx: RequestContext, shift_id: int, data: Form
) -> Response[Any]:
    """The committee takes a patroller off a shift that has not started: the place is open again."""
    ctx.require(KEY, "view")
    shift = await rota.shift_or_404(ctx.session, shift_id)
    await _require_run(ctx, await service.estate_or_404(ctx.session, shift.parking_estate_id))
    back = ctx.url(f"/parking/estates/{shift.parking_estate_id}/rota?week={_week_of(shift.starts_at)}")
    return await act(
        request,
        ctx,
        back,
        lambda: rota.unassign(ctx.session, shift_id, data.get("patroller_id")),
        _("Taken off the shift; the place is open."),
    )


# ---------------------------------------------------------------- planning


async def _plan_page(
    request: Request[Any, Any, Any], ctx: RequestContext, estate: ParkingEstate, forms: dict[str, FormState]
) -> Response[Any]:
    failed = next((f for f in forms.values() if not f.ok), None)
    today = patrols.today()
    return await page(
        request,
        ctx,
        "parking/patrols/rota_plan.html",
        status_code=error_status(request, failed) if failed else 200,
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        patrollers=await patrols.patroller_choices(ctx.session, estate.id, None),
        weekdays=[(str(d), rota.day_label(d)) for d in range(1, 8)],
        forms={"one": FormState(), "recurring": FormState(), **forms},
        tomorrow=(today + timedelta(days=1)).isoformat(),
        max_weeks=rota.MAX_WEEKS,
        notices=await flashes(request, ctx),
    )


@get("/parking/estates/{estate_id:int}/rota/plan", name="parking:rota-plan")
async def rota_plan_page(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int) -> Response[Any]:
    """Plan one shift, or a recurring plan (days of the week for some weeks)."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    return await _plan_page(request, ctx, estate, {})


@post("/parking/estates/{estate_id:int}/rota/plan", name="parking:rota-plan-save", status_code=200)
async def rota_plan_save(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int) -> Response[Any]:
    """Create the shifts of a plan (``kind``: one or recurring); errors per field, nothing written."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    values = await form_values(request)
    kind = "recurring" if values.get("kind") == "recurring" else "one"
    if kind == "one":
        for name in ("days", "from_date", "weeks"):
            values.pop(name, None)
    form = FormState(values=values)
    by = ctx.user.id if ctx.user else None

    async def run() -> rota.Planned:
        the_plan = await rota.clean_plan(ctx.session, estate.id, values, patrols.today())
        return await rota.plan(ctx.session, estate.id, by, the_plan)

    done = await attempt(ctx, run, form)
    if not form.ok:
        return await _plan_page(request, ctx, estate, {kind: form})
    first = done.created[0].starts_at if done.created else None
    week = f"?week={_week_of(first)}" if first else ""
    message = _("%(n)s shifts planned; %(m)s were already on the rota.", n=len(done.created), m=done.existing)
    return await redirect(request, ctx, ctx.url(f"/parking/estates/{estate.id}/rota{week}"), message)


# ---------------------------------------------------------------- the patroller's phone page


@get("/parking/estates/{estate_id:int}/my-shifts", name="parking:my-shifts")
async def my_shifts(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int) -> Response[Any]:
    """我的排班: my next shifts (give one up before it starts) and open places to volunteer for."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    estate = await service.estate_or_404(ctx.session, estate_id)
    if not await patrols.is_patroller(ctx.session, estate.id, ctx.user.id):
        raise Forbidden(_("Only a patroller of the estate's committee may patrol."))
    mine = await rota.my_shifts(ctx.session, estate.id, ctx.user.id)
    user_id = ctx.user.id
    return await page(
        request,
        ctx,
        "parking/patrols/my_shifts.html",
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        mine=mine,
        open_views=[v for v in await rota.open_shifts(ctx.session, estate.id) if not v.has(user_id)],
        now=rota.local(utcnow()),
        notices=await flashes(request, ctx),
        **rota_helpers(),
    )


@post("/parking/shifts/{shift_id:int}/volunteer", name="parking:shift-volunteer", status_code=200)
async def shift_volunteer(
    request: Request[Any, Any, Any], ctx: RequestContext, shift_id: int, data: Form
) -> Response[Any]:
    """A patroller takes an open place."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    shift = await rota.shift_or_404(ctx.session, shift_id)
    user = ctx.user
    back = ctx.url(f"/parking/estates/{shift.parking_estate_id}/my-shifts")
    return await act(
        request,
        ctx,
        back,
        lambda: rota.volunteer(ctx.session, shift_id, user.id, user.display_name),
        _("You are on the shift."),
    )


@post("/parking/shifts/{shift_id:int}/give-up", name="parking:shift-give-up", status_code=200)
async def shift_give_up(
    request: Request[Any, Any, Any], ctx: RequestContext, shift_id: int, data: Form
) -> Response[Any]:
    """A patroller gives up their place before the shift starts; the committee sees it on the rota."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    shift = await rota.shift_or_404(ctx.session, shift_id)
    user_id = ctx.user.id
    back = ctx.url(f"/parking/estates/{shift.parking_estate_id}/my-shifts")
    return await act(
        request,
        ctx,
        back,
        lambda: rota.give_up(ctx.session, shift_id, user_id),
        _("Shift given up; the place is open."),
    )


ROTA_ROUTES = [
    rota_page,
    shift_assign,
    shift_unassign,
    rota_plan_page,
    rota_plan_save,
    my_shifts,
    shift_volunteer,
    shift_give_up,
]
