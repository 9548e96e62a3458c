"""JSON API of the patrol rota under ``/api/v1/districts/{district}/parking`` (the same services as the pages).

Planning and putting patrollers on or off is for who runs the estate; volunteering, giving
up and "my shifts" for its patrollers; the rota is read by both. A refusal answers 4xx
with ``detail`` and ``errors`` (400: a field; 409: full, overlapping, started) and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypedDict

from litestar import get, post

from core.plugin_api import Forbidden, RequestContext, Text
from core.plugin_api import gettext as _
from plugins.parking import patrols, rota, service
from plugins.parking.manifest import KEY
from plugins.parking.routes import may_run
from plugins.parking.routes_patrols import _estate_access

__all__ = ("ROTA_API_ROUTES",)


@dataclass(frozen=True)
class PlaceOut:
    """A patroller on a shift (``seat`` 1…needed), or one who gave it up (``given_up_at``)."""

    patroller_id: int
    name: str
    seat: int | None
    given_up_at: datetime | None


@dataclass(frozen=True)
class ShiftOut:
    """A shift: ``status`` planned, underway, done (a round was recorded in it) or missed; its rounds' counts."""

    id: int
    estate: int
    starts_at: datetime
    ends_at: datetime
    area: str
    needed: int
    open_places: int
    status: str
    patrollers: list[PlaceOut]
    given_up: list[PlaceOut]
    rounds: int
    checks: int
    violations: int

    @classmethod
    def of(cls, v: rota.ShiftView) -> ShiftOut:
        s = v.shift
        return cls(
            s.id,
            s.parking_estate_id,
            s.starts_at,
            s.ends_at,
            s.area,
            s.needed,
            v.open_places,
            v.status,
            [PlaceOut(a.patroller_id, a.patroller_name, a.seat, None) for a in v.on],
            [PlaceOut(a.patroller_id, a.patroller_name, None, a.given_up_at) for a in v.gave_up],
            v.rounds,
            v.checks,
            v.violations,
        )


@dataclass(frozen=True)
class PlannedOut:
    """The shifts a plan created, and how many of its shifts were on the rota already (left as they were)."""

    created: list[ShiftOut]
    existing: int


@dataclass(frozen=True)
class RotaSummary:
    """Missed shifts in the last 30 days, open places in the next 14 days."""

    missed_30_days: int
    open_places_14_days: int


class PlanIn(TypedDict, total=False):
    """One shift (``date``) or a recurring plan (``days`` 1=Mon…7=Sun, ``from_date``, ``weeks`` 1–12).

    ``start``/``end`` HH:MM (an end at or before the start is the next day), ``area``,
    ``needed`` 1–10, ``patrollers`` user ids of the estate's patrollers (at most ``needed``).
    """

    date: Text
    days: list[int]
    from_date: Text
    weeks: int
    start: Text
    end: Text
    area: Text
    needed: int
    patrollers: list[int]


class PatrollerIn(TypedDict, total=False):
    """A patroller of the estate (user id)."""

    patroller_id: int


async def _shift_out(ctx: RequestContext, shift_id: int) -> ShiftOut:
    shift = await rota.shift_or_404(ctx.session, shift_id)
    return ShiftOut.of((await rota.views_of(ctx.session, [shift]))[0])


async def _require_run(ctx: RequestContext, estate_id: int) -> int:
    estate = await service.estate_or_404(ctx.session, estate_id)
    if not await may_run(ctx, estate):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))
    return estate.id


@get("/parking/estates/{estate_id:int}/shifts", name="parking:api:shifts", summary="The estate's patrol rota")
async def api_shifts(
    ctx: RequestContext, estate_id: int, from_date: date | None = None, to_date: date | None = None
) -> list[ShiftOut]:
    """Shifts starting from ``from_date`` (default a week ago) to ``to_date`` (default two weeks ahead), local days."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    run, patrol = await _estate_access(ctx, estate)
    if not (run or patrol):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))
    today = patrols.today()
    first, last = from_date or today - timedelta(days=7), to_date or today + timedelta(days=14)
    if last < first or (last - first).days > 120:
        raise service.Refused(
            "查询区间有误（最长 120 天）",
            "The period is from_date to to_date, at most 120 days.",
            errors={"to_date": _("At most 120 days after from_date.")},
        )
    return [ShiftOut.of(v) for v in await rota.shifts(ctx.session, estate.id, first, last)]


@get(
    "/parking/estates/{estate_id:int}/rota-summary",
    name="parking:api:rota-summary",
    summary="Missed shifts (30 days) and open places (14 days)",
)
async def api_rota_summary(ctx: RequestContext, estate_id: int) -> RotaSummary:
    ctx.require(KEY, "view")
    estate_pk = await _require_run(ctx, estate_id)
    today = patrols.today()
    ahead = await rota.shifts(ctx.session, estate_pk, today, today + timedelta(days=14))
    return RotaSummary(
        await rota.missed_count(ctx.session, estate_pk),
        sum(v.open_places for v in ahead if v.status == "planned"),
    )


@post(
    "/parking/estates/{estate_id:int}/shifts",
    name="parking:api:shift-plan",
    summary="Plan one shift or a recurring plan (each shift created once)",
)
async def api_shift_plan(ctx: RequestContext, estate_id: int, data: PlanIn) -> PlannedOut:
    ctx.require(KEY, "view")
    estate_pk = await _require_run(ctx, estate_id)
    the_plan = await rota.clean_plan(ctx.session, estate_pk, dict(data), patrols.today())
    done = await rota.plan(ctx.session, estate_pk, ctx.user.id if ctx.user else None, the_plan)
    views = await rota.views_of(ctx.session, done.created)
    return PlannedOut([ShiftOut.of(v) for v in views], done.existing)


@get(
    "/parking/estates/{estate_id:int}/shifts/mine",
    name="parking:api:shifts-mine",
    summary="My next shifts (a patroller)",
)
async def api_shifts_mine(ctx: RequestContext, estate_id: int) -> list[ShiftOut]:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    estate = await service.estate_or_404(ctx.session, estate_id)
    if not await patrols.is_patroller(ctx.session, estate.id, ctx.user.id):
        raise Forbidden(_("Only a patroller of the estate's committee may patrol."))
    return [ShiftOut.of(v) for v in await rota.my_shifts(ctx.session, estate.id, ctx.user.id)]


@get(
    "/parking/estates/{estate_id:int}/shifts/open",
    name="parking:api:shifts-open",
    summary="Shifts ahead with open places",
)
async def api_shifts_open(ctx: RequestContext, estate_id: int) -> list[ShiftOut]:
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    run, patrol = await _estate_access(ctx, estate)
    if not (run or patrol):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))
    return [ShiftOut.of(v) for v in await rota.open_shifts(ctx.session, estate.id)]


@post(
    "/parking/shifts/{shift_id:int}/assignments",
    name="parking:api:shift-assign",
    summary="Put a patroller on a shift (an open place, no overlapping shift)",
)
async def api_shift_assign(ctx: RequestContext, shift_id: int, data: PatrollerIn) -> ShiftOut:
    ctx.require(KEY, "view")
    shift = await rota.shift_or_404(ctx.session, shift_id)
    await _require_run(ctx, shift.parking_estate_id)
    await rota.assign(ctx.session, shift_id, data.get("patroller_id"), ctx.user.id if ctx.user else None)
    return await _shift_out(ctx, shift_id)


@post(
    "/parking/shifts/{shift_id:int}/unassign",
    name="parking:api:shift-unassign",
    summary="Take a patroller off a shift that has not started",
)
async def api_shift_unassign(ctx: RequestContext, shift_id: int, data: PatrollerIn) -> ShiftOut:
    ctx.require(KEY, "view")
    shift = await rota.shift_or_404(ctx.session, shift_id)
    await _require_run(ctx, shift.parking_estate_id)
    await rota.unassign(ctx.session, shift_id, data.get("patroller_id"))
    return await _shift_out(ctx, shift_id)


@post(
    "/parking/shifts/{shift_id:int}/volunteer",
    name="parking:api:shift-volunteer",
    summary="Take an open place on a shift (a patroller)",
)
async def api_shift_volunteer(ctx: RequestContext, shift_id: int) -> ShiftOut:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    await rota.volunteer(ctx.session, shift_id, ctx.user.id, ctx.user.display_name)
    return await _shift_out(ctx, shift_id)


@post(
    "/parking/shifts/{shift_id:int}/give-up",
    name="parking:api:shift-give-up",
    summary="Give up one's place before the shift starts (a patroller)",
)
async def api_shift_give_up(ctx: RequestContext, shift_id: int) -> ShiftOut:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    await rota.give_up(ctx.session, shift_id, ctx.user.id)
    return await _shift_out(ctx, shift_id)


ROTA_API_ROUTES = [
    api_shifts,
    api_rota_summary,
    api_shift_plan,
    api_shifts_mine,
    api_shifts_open,
    api_shift_assign,
    api_shift_unassign,
    api_shift_volunteer,
    api_shift_give_up,
]
