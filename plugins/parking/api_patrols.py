"""JSON API of patrols and violations under ``/api/v1/districts/{district}/parking`` (same services as the pages).

A violation's photo is sent inline (``photo_base64`` and ``photo_name``) and kept in the
core's storage; a refusal answers 4xx with ``detail`` and ``errors`` and writes nothing.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, TypedDict

from litestar import get, post

from core.plugin_api import Code, Forbidden, LongText, RequestContext, Text, residents
from core.plugin_api import gettext as _
from plugins.parking import patrols, service
from plugins.parking.manifest import KEY
from plugins.parking.routes_patrols import _estate_access, store_photo

if TYPE_CHECKING:
    from plugins.parking.models_patrols import PatrolRound, PlateCheck, Violation

__all__ = ("PATROL_API_ROUTES",)


@dataclass(frozen=True)
class RoundOut:
    """A patrol round."""

    id: int
    estate: int
    patroller_id: int | None
    patroller_name: str
    started_at: datetime
    ended_at: datetime | None

    @classmethod
    def of(cls, r: PatrolRound) -> RoundOut:
        return cls(r.id, r.parking_estate_id, r.patroller_id, r.patroller_name, r.started_at, r.ended_at)


@dataclass(frozen=True)
class CheckOut:
    """One plate check: ``result`` is ok, no_permit, outside_window, suspended or violation."""

    id: int
    round_id: int
    plate: str
    place: str
    checked_at: datetime
    result: str

    @classmethod
    def of(cls, c: PlateCheck) -> CheckOut:
        return cls(c.id, c.round_id, c.plate, c.place, c.checked_at, c.result)


@dataclass(frozen=True)
class ViolationOut:
    """A violation: ``ordinal`` in the convention's period, ``step`` (warning, recorded, suspension), ``status``."""

    id: int
    estate: int
    plate: str
    place: str
    observed_at: datetime
    description: str
    has_photo: bool
    witness_id: int | None
    ordinal: int
    step: str
    status: str
    suspended_permit_id: int | None
    suspension_lifted_at: datetime | None
    dispute_reason: str
    outcome_note: str

    @classmethod
    def of(cls, v: Violation) -> ViolationOut:
        return cls(
            v.id,
            v.parking_estate_id,
            v.plate,
            v.place,
            v.observed_at,
            v.description,
            bool(v.photo_key),
            v.witness_id,
            v.ordinal,
            v.step,
            v.status,
            v.suspended_permit_id,
            v.suspension_lifted_at,
            v.dispute_reason,
            v.outcome_note,
        )


class CheckIn(TypedDict, total=False):
    """A plate checked in a round: the plate and where it stands."""

    plate: Code
    place: Text


class ViolationIn(TypedDict, total=False):
    """A violation: plate, place, time (ISO 8601, default now), and a photo or a witness (another patroller)."""

    plate: Code
    place: Text
    observed_at: datetime | None
    description: Text
    round_id: int | None
    witness_id: int | None
    photo_name: Text
    photo_base64: str


class DisputeIn(TypedDict, total=False):
    """The owner's reason for disputing a violation."""

    reason: LongText


class DecisionIn(TypedDict, total=False):
    """Mediation's outcome: upheld, withdrawn or referred (to the community committee), and a note."""

    outcome: Code
    note: LongText


async def _run_or_patrol(ctx: RequestContext, estate_id: int) -> int:
    estate = await service.estate_or_404(ctx.session, estate_id)
    run, patrol = await _estate_access(ctx, estate)
    if not (run or patrol):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))
    return estate.id


@post("/parking/estates/{estate_id:int}/rounds", name="parking:api:round-start", summary="Start a patrol round")
async def api_round_start(ctx: RequestContext, estate_id: int) -> RoundOut:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    estate = await service.estate_or_404(ctx.session, estate_id)
    return RoundOut.of(await patrols.start_round(ctx.session, estate.id, ctx.user.id, ctx.user.display_name))


@get("/parking/estates/{estate_id:int}/rounds", name="parking:api:rounds", summary="The latest patrol rounds")
async def api_rounds(ctx: RequestContext, estate_id: int) -> list[RoundOut]:
    ctx.require(KEY, "view")
    estate_pk = await _run_or_patrol(ctx, estate_id)
    return [RoundOut.of(r) for r, _n in await patrols.rounds(ctx.session, estate_pk)]


@post("/parking/rounds/{round_id:int}/end", name="parking:api:round-end", summary="End one's patrol round")
async def api_round_end(ctx: RequestContext, round_id: int) -> RoundOut:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    return RoundOut.of(await patrols.end_round(ctx.session, round_id, ctx.user.id))


@post(
    "/parking/rounds/{round_id:int}/checks",
    name="parking:api:plate-check",
    summary="Log a plate check in one's round (logged even when compliant)",
)
async def api_plate_check(ctx: RequestContext, round_id: int, data: CheckIn) -> CheckOut:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    check = await patrols.check_plate(ctx.session, round_id, ctx.user.id, data.get("plate"), data.get("place"))
    return CheckOut.of(check)


@get("/parking/rounds/{round_id:int}/checks", name="parking:api:plate-checks", summary="A round's plate checks")
async def api_plate_checks(ctx: RequestContext, round_id: int) -> list[CheckOut]:
    ctx.require(KEY, "view")
    row = await patrols.round_or_404(ctx.session, round_id)
    await _run_or_patrol(ctx, row.parking_estate_id)
    return [CheckOut.of(c) for c in await patrols.checks(ctx.session, round_id)]


@get("/parking/estates/{estate_id:int}/violations", name="parking:api:violations", summary="An estate's violations")
async def api_violations(ctx: RequestContext, estate_id: int, status: str | None = None) -> list[ViolationOut]:
    ctx.require(KEY, "view")
    estate_pk = await _run_or_patrol(ctx, estate_id)
    rows = await patrols.violations(ctx.session, estate_id=estate_pk, statuses=(status,) if status else None)
    return [ViolationOut.of(v) for v in rows]


@post(
    "/parking/estates/{estate_id:int}/violations",
    name="parking:api:violation-report",
    summary="Report a violation (a patroller): a photo or a second patroller as witness is required",
)
async def api_violation_report(ctx: RequestContext, estate_id: int, data: ViolationIn) -> ViolationOut:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    estate = await service.estate_or_404(ctx.session, estate_id)
    raw = str(data.get("photo_base64") or "")
    fields = {k: ("" if v is None else v) for k, v in data.items() if k != "photo_base64"}
    values = await patrols.clean_report(ctx.session, estate.id, ctx.user.id, fields, has_photo=bool(raw))
    evidence = patrols.Evidence(witness_id=values["witness_id"])
    if raw:
        try:
            content = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise service.Refused(
                "照片数据有误", "The photo is not valid base64.", errors={"photo_base64": _("Not valid base64.")}
            ) from None
        stored = await store_photo(ctx, str(data.get("photo_name") or "photo.jpg"), content)
        evidence = patrols.Evidence(**{**stored.__dict__, "witness_id": values["witness_id"]})
    violation = await patrols.report(
        ctx.session, estate.id, ctx.user.id, values, evidence, link=ctx.url("/parking/violations/mine")
    )
    return ViolationOut.of(violation)


@get("/parking/violations/mine", name="parking:api:violations-mine", summary="My household's violations")
async def api_violations_mine(ctx: RequestContext) -> list[ViolationOut]:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    households = [h.household_id for h in await residents.households_of_user(ctx.session, ctx.user.id)]
    return [ViolationOut.of(v) for v in await patrols.violations(ctx.session, household_ids=households)]


@post(
    "/parking/violations/{violation_id:int}/correct",
    name="parking:api:violation-correct",
    summary="Mark a violation corrected (closed; it still counts)",
)
async def api_violation_correct(ctx: RequestContext, violation_id: int) -> ViolationOut:
    ctx.require(KEY, "view")
    violation = await patrols.violation_or_404(ctx.session, violation_id)
    await _run_or_patrol(ctx, violation.parking_estate_id)
    return ViolationOut.of(await patrols.correct(ctx.session, violation_id, ctx.user.id if ctx.user else None))


@post(
    "/parking/violations/{violation_id:int}/dispute",
    name="parking:api:violation-dispute",
    summary="The car's household disputes a violation: mediation by the residents' committee",
)
async def api_violation_dispute(ctx: RequestContext, violation_id: int, data: DisputeIn) -> ViolationOut:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    violation = await patrols.violation_or_404(ctx.session, violation_id)
    if not await patrols.is_owner(ctx.session, violation, ctx.user.id):
        raise Forbidden(_("Only the car's household may dispute this violation."))
    return ViolationOut.of(await patrols.dispute(ctx.session, violation_id, ctx.user.id, data.get("reason")))


@post(
    "/parking/violations/{violation_id:int}/decide",
    name="parking:api:violation-decide",
    summary="Mediation's outcome (community staff): upheld, withdrawn (lifts its suspension) or referred",
)
async def api_violation_decide(ctx: RequestContext, violation_id: int, data: DecisionIn) -> ViolationOut:
    ctx.require(KEY, "manage")
    row = await patrols.decide(
        ctx.session,
        violation_id,
        ctx.user.id if ctx.user else None,
        str(data.get("outcome") or ""),
        data.get("note"),
    )
    return ViolationOut.of(row)


PATROL_API_ROUTES = [
    api_round_start,
    api_rounds,
    api_round_end,
    api_plate_check,
    api_plate_checks,
    api_violations,
    api_violation_report,
    api_violations_mine,
    api_violation_correct,
    api_violation_dispute,
    api_violation_decide,
]
