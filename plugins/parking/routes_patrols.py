"""Patrol and violation pages: the patroller's phone page, the committee's list, the owner's page, mediation.

- ``/parking/estates/{id}/patrol``      a patroller: start a round, check plates, report a violation with a photo
- ``/parking/estates/{id}/violations``  the committee (and patrollers): violations with their steps and states, rounds
- ``/parking/violations/mine``          an owner: the violations of their household's cars, a dispute button
- ``/parking/mediation``                community staff (``parking:manage``): disputes to mediate and referrals
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.response import Stream

from core.plugin_api import (
    TIMEZONE,
    Forbidden,
    Form,
    FormState,
    MissingFile,
    NotFound,
    RequestContext,
    act,
    attempt,
    error_status,
    flashes,
    page,
    redirect,
    residents,
    storage_for,
)
from core.plugin_api import gettext as _
from plugins.parking import patrols, service
from plugins.parking.manifest import KEY
from plugins.parking.models import ParkingEstate
from plugins.parking.models_patrols import Violation
from plugins.parking.routes import Upload, may_run

__all__ = ("PATROL_ROUTES", "may_see", "store_photo")

OUTCOME_LABELS = {
    "upheld": "Upheld: the violation stands",
    "withdrawn": "Withdrawn: it no longer counts",
    "referred": "Refer to the community committee",
}


def helpers(ctx: RequestContext) -> dict[str, Any]:
    return {
        "v_status": patrols.status_label,
        "v_step": patrols.step_label,
        "c_result": patrols.result_label,
        "local": lambda moment: moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M") if moment else "",
    }


async def _estate_access(ctx: RequestContext, estate: ParkingEstate) -> tuple[bool, bool]:
    """(may run the estate, is a patroller of it)."""
    user_id = ctx.user.id if ctx.user else None
    return await may_run(ctx, estate), await patrols.is_patroller(ctx.session, estate.id, user_id)


async def may_see(ctx: RequestContext, violation: Violation) -> bool:
    """Staff, the estate's committee and patrollers, and the plate's household see a violation (and its photo)."""
    estate = await service.estate_or_404(ctx.session, violation.parking_estate_id)
    run, patrol = await _estate_access(ctx, estate)
    if run or patrol:
        return True
    return await patrols.is_owner(ctx.session, violation, ctx.user.id if ctx.user else None)


async def store_photo(ctx: RequestContext, filename: str, data: bytes) -> patrols.Evidence:
    """Check the photo and save its bytes in the core's storage; the evidence to record."""
    assert ctx.district is not None
    name, content_type = patrols.photo_type(filename, data)
    stored = await storage_for(ctx).save(data, prefix=f"{ctx.district.code}/parking-violations")
    return patrols.Evidence(photo_key=stored.key, photo_name=name, photo_type=content_type, photo_sha256=stored.sha256)


# ---------------------------------------------------------------- the patroller's phone page


async def _patrol_page(
    request: Request[Any, Any, Any], ctx: RequestContext, estate: ParkingEstate, forms: dict[str, FormState]
) -> Response[Any]:
    assert ctx.user is not None
    failed = next((f for f in forms.values() if not f.ok), None)
    current = await patrols.open_round(ctx.session, estate.id, ctx.user.id)
    return await page(
        request,
        ctx,
        "parking/patrols/patrol.html",
        status_code=error_status(request, failed) if failed else 200,
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        current=current,
        checks=await patrols.checks(ctx.session, current.id) if current else [],
        witnesses=await patrols.patroller_choices(ctx.session, estate.id, ctx.user.id),
        forms={"check": FormState(), "report": FormState(), **forms},
        notices=await flashes(request, ctx),
        **helpers(ctx),
    )


async def _require_patroller(ctx: RequestContext, estate: ParkingEstate) -> None:
    if not await patrols.is_patroller(ctx.session, estate.id, ctx.user.id if ctx.user else None):
        raise Forbidden(_("Only a patroller of the estate's committee may patrol."))


@get("/parking/estates/{estate_id:int}/patrol", name="parking:patrol")
async def patrol_page(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int) -> Response[Any]:
    """The patroller's phone page: the round in progress, plate checks, the violation form."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_patroller(ctx, estate)
    return await _patrol_page(request, ctx, estate, {})


@post("/parking/estates/{estate_id:int}/patrol/start", name="parking:round-start", status_code=200)
async def round_start(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Form
) -> Response[Any]:
    """Start a patrol round (or go back to the one in progress)."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    estate = await service.estate_or_404(ctx.session, estate_id)
    user = ctx.user
    back = ctx.url(f"/parking/estates/{estate.id}/patrol")
    return await act(
        request,
        ctx,
        back,
        lambda: patrols.start_round(ctx.session, estate.id, user.id, user.display_name),
        _("Round started."),
    )


@post("/parking/rounds/{round_id:int}/end", name="parking:round-end", status_code=200)
async def round_end(request: Request[Any, Any, Any], ctx: RequestContext, round_id: int, data: Form) -> Response[Any]:
    """End one's round."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    row = await patrols.round_or_404(ctx.session, round_id)
    user_id = ctx.user.id
    back = ctx.url(f"/parking/estates/{row.parking_estate_id}/patrol")
    return await act(request, ctx, back, lambda: patrols.end_round(ctx.session, round_id, user_id), _("Round ended."))


@post("/parking/rounds/{round_id:int}/checks", name="parking:plate-check", status_code=200)
async def plate_check(request: Request[Any, Any, Any], ctx: RequestContext, round_id: int, data: Form) -> Response[Any]:
    """Log a plate check in the round; the result is shown at the top of the list."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    row = await patrols.round_or_404(ctx.session, round_id)
    estate = await service.estate_or_404(ctx.session, row.parking_estate_id)
    form = FormState(values=dict(data))
    user_id = ctx.user.id
    check = await attempt(
        ctx, lambda: patrols.check_plate(ctx.session, round_id, user_id, data.get("plate"), data.get("place")), form
    )
    if not form.ok:
        return await _patrol_page(request, ctx, estate, {"check": form})
    message = f"{check.plate}: {patrols.result_label(check.result)}"
    return await redirect(request, ctx, ctx.url(f"/parking/estates/{estate.id}/patrol"), message)


@post("/parking/estates/{estate_id:int}/violations", name="parking:violation-report", status_code=200)
async def violation_report(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Upload
) -> Response[Any]:
    """Report a violation: plate, place, time, and a photo or a second patroller as witness."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_patroller(ctx, estate)
    fields = {k: v for k, v in data.items() if isinstance(v, str)}
    upload = data.get("photo")
    content = b""
    filename = ""
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(patrols.MAX_PHOTO + 1)
        filename = upload.filename
    form = FormState(values=fields)
    user_id = ctx.user.id
    link = ctx.url("/parking/violations/mine")

    async def run() -> Violation:
        values = await patrols.clean_report(ctx.session, estate.id, user_id, fields, has_photo=bool(filename))
        evidence = await store_photo(ctx, filename, content) if filename else patrols.Evidence()
        evidence = patrols.Evidence(**{**evidence.__dict__, "witness_id": values["witness_id"]})
        return await patrols.report(ctx.session, estate.id, user_id, values, evidence, link=link)

    violation = await attempt(ctx, run, form)
    if not form.ok:
        return await _patrol_page(request, ctx, estate, {"report": form})
    message = _("Violation recorded (%(step)s); the owner is notified.", step=patrols.step_label(violation.step))
    return await redirect(request, ctx, ctx.url(f"/parking/estates/{estate.id}/patrol"), message)


# ---------------------------------------------------------------- the committee's list


@get("/parking/estates/{estate_id:int}/violations", name="parking:violations")
async def violation_list(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int) -> Response[Any]:
    """The estate's violations (steps, states, evidence) and the latest patrol rounds."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    run, patrol = await _estate_access(ctx, estate)
    if not (run or patrol):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))
    rows = await patrols.violations(ctx.session, estate_id=estate.id)
    counts: dict[str, int] = {}
    for v in rows:
        counts[v.status] = counts.get(v.status, 0) + 1
    return await page(
        request,
        ctx,
        "parking/patrols/violations.html",
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        violations=rows,
        counts=counts,
        rounds=await patrols.rounds(ctx.session, estate.id),
        can_run=run,
        is_patroller=patrol,
        notices=await flashes(request, ctx),
        **helpers(ctx),
    )


@post("/parking/violations/{violation_id:int}/correct", name="parking:violation-correct", status_code=200)
async def violation_correct(
    request: Request[Any, Any, Any], ctx: RequestContext, violation_id: int, data: Form
) -> Response[Any]:
    """Mark a violation corrected (the car was moved): closed."""
    ctx.require(KEY, "view")
    violation = await patrols.violation_or_404(ctx.session, violation_id)
    estate = await service.estate_or_404(ctx.session, violation.parking_estate_id)
    run, patrol = await _estate_access(ctx, estate)
    if not (run or patrol):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))
    user_id = ctx.user.id if ctx.user else None
    back = ctx.url(f"/parking/estates/{estate.id}/violations")
    return await act(
        request, ctx, back, lambda: patrols.correct(ctx.session, violation_id, user_id), _("Marked corrected.")
    )


@get("/parking/violations/{violation_id:int}/photo", name="parking:violation-photo")
async def violation_photo(ctx: RequestContext, violation_id: int) -> Stream:
    """The violation's photo (to the committee, patrollers, staff and the car's household)."""
    ctx.require(KEY, "view")
    violation = await patrols.violation_or_404(ctx.session, violation_id)
    if not violation.photo_key or not await may_see(ctx, violation):
        raise NotFound(_("Not found."))
    if violation.photo_key.startswith("demo/"):  # a demo resident's report recorded: its photo is generated
        from plugins.parking.seed_dividend import demo_photo  # noqa: PLC0415

        body = demo_photo()
    else:
        try:
            body = await storage_for(ctx).read(violation.photo_key)
        except (MissingFile, ValueError):
            raise NotFound(_("Not found.")) from None
    return Stream(
        iter([body]),
        media_type=violation.photo_type or "application/octet-stream",
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


# ---------------------------------------------------------------- the owner's page


async def _mine_page(
    request: Request[Any, Any, Any], ctx: RequestContext, forms: dict[int, FormState]
) -> Response[Any]:
    assert ctx.user is not None
    failed = next((f for f in forms.values() if not f.ok), None)
    households = await residents.households_of_user(ctx.session, ctx.user.id, ctx.locale)
    addresses = {h.household_id: h.address for h in households}
    rows = await patrols.violations(ctx.session, household_ids=list(addresses))
    return await page(
        request,
        ctx,
        "parking/patrols/mine.html",
        status_code=error_status(request, failed) if failed else 200,
        violations=rows,
        addresses=addresses,
        forms=forms,
        blank=FormState(),
        notices=await flashes(request, ctx),
        **helpers(ctx),
    )


@get("/parking/violations/mine", name="parking:violations-mine")
async def violations_mine(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """My household's violations, with a dispute button (made for a phone)."""
    ctx.require(KEY, "view")
    return await _mine_page(request, ctx, {})


@post("/parking/violations/{violation_id:int}/dispute", name="parking:violation-dispute", status_code=200)
async def violation_dispute(
    request: Request[Any, Any, Any], ctx: RequestContext, violation_id: int, data: Form
) -> Response[Any]:
    """The car's owner disputes a violation with a reason: it goes to the residents' committee for mediation."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    violation = await patrols.violation_or_404(ctx.session, violation_id)
    if not await patrols.is_owner(ctx.session, violation, ctx.user.id):
        raise Forbidden(_("Only the car's household may dispute this violation."))
    form = FormState(values=dict(data))
    user_id = ctx.user.id
    await attempt(ctx, lambda: patrols.dispute(ctx.session, violation_id, user_id, data.get("reason")), form)
    if not form.ok:
        return await _mine_page(request, ctx, {violation_id: form})
    return await redirect(
        request, ctx, ctx.url("/parking/violations/mine"), _("Your dispute is sent to the residents' committee.")
    )


# ---------------------------------------------------------------- mediation (community staff)


@get("/parking/mediation", name="parking:mediation")
async def mediation(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Disputes to mediate (residents' committee) and those referred to the community committee."""
    ctx.require(KEY, "manage")
    rows = await patrols.violations(ctx.session, statuses=("disputed", "referred"))
    estates = {
        e.id: (await service.estate_view(ctx.session, e, ctx.locale)).name
        for e in await service.list_estates(ctx.session)
    }
    decided = await patrols.violations(ctx.session, statuses=("upheld", "withdrawn"), limit=20)
    return await page(
        request,
        ctx,
        "parking/patrols/mediation.html",
        disputed=[v for v in rows if v.status == "disputed"],
        referred=[v for v in rows if v.status == "referred"],
        decided=[v for v in decided if v.disputed_at],
        estates=estates,
        outcomes={k: _(v) for k, v in OUTCOME_LABELS.items()},
        notices=await flashes(request, ctx),
        **helpers(ctx),
    )


@post("/parking/violations/{violation_id:int}/decide", name="parking:violation-decide", status_code=200)
async def violation_decide(
    request: Request[Any, Any, Any], ctx: RequestContext, violation_id: int, data: Form
) -> Response[Any]:
    """Record mediation's outcome: upheld, withdrawn (lifts a suspension it caused) or referred."""
    ctx.require(KEY, "manage")
    user_id = ctx.user.id if ctx.user else None
    outcome = str(data.get("outcome") or "")
    back = ctx.url("/parking/mediation")
    return await act(
        request,
        ctx,
        back,
        lambda: patrols.decide(ctx.session, violation_id, user_id, outcome, data.get("note")),
        _("Outcome recorded."),
    )


PATROL_ROUTES = [
    patrol_page,
    round_start,
    round_end,
    plate_check,
    violation_report,
    violation_list,
    violation_correct,
    violation_photo,
    violations_mine,
    violation_dispute,
    mediation,
    violation_decide,
]
