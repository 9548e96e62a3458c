"""JSON API of the dividend, renewals, residents' reports, exports and the violations trend.

Under ``/api/v1/districts/{district}/parking`` with the same services as the pages: a
refusal answers 4xx with ``detail`` (Chinese / English) and writes nothing; a step taken
twice answers 409. Amounts are in fen; amounts sent are in yuan (``amount_yuan``).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypedDict

from litestar import Response, get, post

from core.plugin_api import Code, Forbidden, LongText, NotFound, RequestContext, Text, Title
from core.plugin_api import gettext as _
from plugins.parking import dividend, exports, money, patrols, resident, service, trend
from plugins.parking.api_patrols import ViolationOut
from plugins.parking.manifest import KEY
from plugins.parking.models_dividend import CarReport, Dividend, Renewal
from plugins.parking.plates import mask_plate
from plugins.parking.routes import may_run
from plugins.parking.routes_dividend import file_response, published_statement, statement_file
from plugins.parking.routes_patrols import store_photo

__all__ = ("DIVIDEND_API_ROUTES",)


@dataclass(frozen=True)
class ShareOut:
    """A household's share of a paid dividend."""

    household_id: int | None
    address: str
    area: Decimal
    amount_fen: int


@dataclass(frozen=True)
class DividendOut:
    """A dividend: ``status`` voting → adopted | rejected → paid; ``shares`` once paid (they sum to ``amount_fen``)."""

    id: int
    estate: int
    title: str
    amount_fen: int
    method: str
    status: str
    vote_id: int | None
    fund_line_id: int | None
    paid_at: datetime | None
    shares: list[ShareOut]


@dataclass(frozen=True)
class RenewalOut:
    """A renewal request of a card: requested → approved (``valid_to_after``) | refused (``note``)."""

    id: int
    estate: int
    permit_id: int
    status: str
    requested_at: datetime
    valid_to_before: date | None
    valid_to_after: date | None
    note: str

    @classmethod
    def of(cls, r: Renewal) -> RenewalOut:
        return cls(
            r.id,
            r.parking_estate_id,
            r.permit_id,
            r.status,
            r.requested_at,
            r.valid_to_before,
            r.valid_to_after,
            r.note,
        )


@dataclass(frozen=True)
class CarReportOut:
    """A resident's report of a wrongly parked car: open → recorded (``violation_id``) | dismissed (``note``)."""

    id: int
    estate: int
    plate: str
    place: str
    observed_at: datetime
    description: str
    status: str
    violation_id: int | None
    note: str

    @classmethod
    def of(cls, r: CarReport, *, masked: bool = False) -> CarReportOut:
        """``masked``: for the reporter, who is not the car's household (``浙B·12***``)."""
        return cls(
            r.id,
            r.parking_estate_id,
            mask_plate(r.plate) if masked else r.plate,
            r.place,
            r.observed_at,
            r.description,
            r.status,
            r.violation_id,
            r.note,
        )


@dataclass(frozen=True)
class TrendMonthOut:
    """Violations of one month (Beijing time): the district's total and per parking estate id."""

    month: str
    total: int
    by_estate: dict[str, int]


class DividendIn(TypedDict, total=False):
    """A dividend to propose: title, total in yuan, ``method`` ``area`` (default) or ``equal``."""

    title: Title
    amount_yuan: Code
    method: Code


class BallotIn(TypedDict, total=False):
    """A ballot: ``choice`` for/against/abstain; ``channel`` online (the owner) or paper/hands/door_to_door."""

    household_id: int
    choice: Code
    channel: Code


class NoteIn(TypedDict, total=False):
    """A reason (refusing a renewal, dismissing a report)."""

    note: LongText


class CarReportIn(TypedDict, total=False):
    """A wrongly parked car: the estate, plate, place, time (ISO 8601, default now) and a photo (base64, required)."""

    estate_id: int
    plate: Code
    place: Text
    observed_at: datetime | None
    description: Text
    photo_name: Text
    photo_base64: str


async def _dividend_out(ctx: RequestContext, row: Dividend, with_shares: bool) -> DividendOut:
    shares = await dividend.shares(ctx.session, row.id) if with_shares and row.status == "paid" else []
    return DividendOut(
        row.id,
        row.parking_estate_id,
        row.title,
        row.amount_fen,
        row.method,
        row.status,
        row.vote_id,
        row.fund_line_id,
        row.paid_at,
        [ShareOut(s.household_id, s.address, s.area, s.amount_fen) for s in shares],
    )


async def _require_run(ctx: RequestContext, estate: Any) -> None:
    if not await may_run(ctx, estate):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))


@get("/parking/estates/{estate_id:int}/dividends", name="parking:api:dividends", summary="An estate's dividends")
async def api_dividends(ctx: RequestContext, estate_id: int) -> list[DividendOut]:
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    return [await _dividend_out(ctx, d, False) for d in await dividend.dividends(ctx.session, estate.id)]


@post(
    "/parking/estates/{estate_id:int}/dividends",
    name="parking:api:dividend-propose",
    summary="Propose a surplus dividend (the committee): it goes to the owners' vote at once",
)
async def api_dividend_propose(ctx: RequestContext, estate_id: int, data: DividendIn) -> DividendOut:
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    row = await dividend.propose(
        ctx.session, estate, dict(data), by=ctx.user.id if ctx.user else None, staff=ctx.can(KEY, "manage")
    )
    return await _dividend_out(ctx, row, False)


async def _dividend_for(ctx: RequestContext, dividend_id: int) -> tuple[Dividend, Any]:
    ctx.require(KEY, "view")
    return await dividend.dividend_or_404(ctx.session, dividend_id)


@get(
    "/parking/dividends/{dividend_id:int}",
    name="parking:api:dividend",
    summary="A dividend with its households' shares (the committee sees them)",
)
async def api_dividend(ctx: RequestContext, dividend_id: int) -> DividendOut:
    row, estate = await _dividend_for(ctx, dividend_id)
    return await _dividend_out(ctx, row, await may_run(ctx, estate))


@post(
    "/parking/dividends/{dividend_id:int}/ballots",
    name="parking:api:dividend-ballot",
    summary="A household's ballot on a dividend (the owner online, or the committee entering a paper ballot)",
    status_code=200,
)
async def api_dividend_ballot(ctx: RequestContext, dividend_id: int, data: BallotIn) -> DividendOut:
    from plugins.parking import conventions  # noqa: PLC0415

    row, estate = await _dividend_for(ctx, dividend_id)
    assert ctx.user is not None
    channel = str(data.get("channel") or "online")
    household = int(data.get("household_id") or 0)
    if channel == "online":
        if household not in await conventions.owned_households(ctx.session, ctx.user.id, estate):
            raise Forbidden(_("You vote only for a household you own."))
    else:
        await _require_run(ctx, estate)
    await dividend.cast(
        ctx.session, row, household, str(data.get("choice") or ""), channel=channel, entered_by=ctx.user.id
    )
    return await _dividend_out(ctx, row, False)


@post(
    "/parking/dividends/{dividend_id:int}/close",
    name="parking:api:dividend-close",
    summary="Close a dividend's owners' vote: adopted or not",
    status_code=200,
)
async def api_dividend_close(ctx: RequestContext, dividend_id: int) -> DividendOut:
    row, estate = await _dividend_for(ctx, dividend_id)
    await _require_run(ctx, estate)
    await dividend.close(ctx.session, row)
    return await _dividend_out(ctx, row, False)


@post(
    "/parking/dividends/{dividend_id:int}/pay",
    name="parking:api:dividend-pay",
    summary="Pay an adopted dividend (the treasurer; once; within the fund's balance): one share per household",
    status_code=200,
)
async def api_dividend_pay(ctx: RequestContext, dividend_id: int) -> DividendOut:
    row, estate = await _dividend_for(ctx, dividend_id)
    await dividend.pay(ctx.session, row, estate, by=ctx.user.id if ctx.user else None, locale=ctx.locale)
    return await _dividend_out(ctx, row, True)


# ---------------------------------------------------------------- renewals


@post(
    "/parking/permits/{permit_id:int}/renewals",
    name="parking:api:renew",
    summary="Ask the committee to renew my household's issued card",
)
async def api_renew(ctx: RequestContext, permit_id: int) -> RenewalOut:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    return RenewalOut.of(await resident.request_renewal(ctx.session, permit_id, user_id=ctx.user.id))


@get(
    "/parking/estates/{estate_id:int}/renewals",
    name="parking:api:renewals",
    summary="An estate's renewal requests (the committee)",
)
async def api_renewals(ctx: RequestContext, estate_id: int, status: str | None = None) -> list[RenewalOut]:
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    rows = await resident.renewals(ctx.session, estate_id=estate.id, statuses=(status,) if status else None)
    return [RenewalOut.of(r) for r in rows]


@post(
    "/parking/renewals/{renewal_id:int}/{action:str}",
    name="parking:api:renewal-decide",
    summary="Approve (one more year) or refuse (with a note) a renewal: action is approve or refuse",
    status_code=200,
)
async def api_renewal_decide(
    ctx: RequestContext, renewal_id: int, action: str, data: NoteIn | None = None
) -> RenewalOut:
    ctx.require(KEY, "view")
    row, estate = await resident.renewal_or_404(ctx.session, renewal_id)
    await _require_run(ctx, estate)
    by, staff = (ctx.user.id if ctx.user else None), ctx.can(KEY, "manage")
    if action == "approve":
        return RenewalOut.of(await resident.approve_renewal(ctx.session, row, estate, by=by, staff=staff))
    if action == "refuse":
        note = (data or {}).get("note")
        return RenewalOut.of(await resident.refuse_renewal(ctx.session, row, estate, note, by=by, staff=staff))
    raise NotFound(_("Not found."))


# ---------------------------------------------------------------- residents' reports


@post(
    "/parking/car-reports",
    name="parking:api:car-report",
    summary="Report a wrongly parked car in my estate, with a photo (a resident)",
)
async def api_car_report(ctx: RequestContext, data: CarReportIn) -> CarReportOut:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    raw = str(data.get("photo_base64") or "")
    fields = {k: ("" if v is None else v) for k, v in data.items() if k != "photo_base64"}
    values = await resident.clean_car_report(ctx.session, ctx.user.id, fields, has_photo=bool(raw))
    try:
        content = base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        raise service.Refused(
            "照片数据有误", "The photo is not valid base64.", errors={"photo_base64": _("Not valid base64.")}
        ) from None
    evidence = await store_photo(ctx, str(data.get("photo_name") or "photo.jpg"), content)
    return CarReportOut.of(await resident.file_car_report(ctx.session, ctx.user.id, values, evidence), masked=True)


@get("/parking/car-reports/mine", name="parking:api:car-reports-mine", summary="My reports of wrongly parked cars")
async def api_car_reports_mine(ctx: RequestContext) -> list[CarReportOut]:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    return [CarReportOut.of(r, masked=True) for r in await resident.reports(ctx.session, reported_by=ctx.user.id)]


async def _patrol_or_run(ctx: RequestContext, estate: Any) -> None:
    user_id = ctx.user.id if ctx.user else None
    if not (await patrols.is_patroller(ctx.session, estate.id, user_id) or await may_run(ctx, estate)):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))


@get(
    "/parking/estates/{estate_id:int}/car-reports",
    name="parking:api:car-reports",
    summary="Residents' reports of wrongly parked cars in an estate (patrollers, the committee)",
)
async def api_car_reports(ctx: RequestContext, estate_id: int, status: str | None = None) -> list[CarReportOut]:
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _patrol_or_run(ctx, estate)
    rows = await resident.reports(ctx.session, estate_id=estate.id, statuses=(status,) if status else None)
    return [CarReportOut.of(r) for r in rows]


@post(
    "/parking/car-reports/{report_id:int}/record",
    name="parking:api:car-report-record",
    summary="Record a resident's report as a violation (a patroller): the photo is the evidence",
    status_code=200,
)
async def api_car_report_record(ctx: RequestContext, report_id: int) -> ViolationOut:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    row, _estate = await resident.report_or_404(ctx.session, report_id)
    link = ctx.url("/parking/violations/mine")
    return ViolationOut.of(await resident.record_report(ctx.session, row, by=ctx.user.id, link=link))


@post(
    "/parking/car-reports/{report_id:int}/dismiss",
    name="parking:api:car-report-dismiss",
    summary="Dismiss a resident's report with a note (a patroller)",
    status_code=200,
)
async def api_car_report_dismiss(ctx: RequestContext, report_id: int, data: NoteIn) -> CarReportOut:
    ctx.require(KEY, "view")
    assert ctx.user is not None
    row, _estate = await resident.report_or_404(ctx.session, report_id)
    return CarReportOut.of(await resident.dismiss_report(ctx.session, row, data.get("note"), by=ctx.user.id))


# ---------------------------------------------------------------- exports and the trend


@get(
    "/parking/estates/{estate_id:int}/statements/{month:str}/statement.pdf",
    name="parking:api:statement-pdf",
    summary="A published statement as PDF (the SHA-256 printed on it)",
    media_type="application/pdf",
)
async def api_statement_pdf(ctx: RequestContext, estate_id: int, month: str) -> Response[Any]:
    ctx.require(KEY, "view")
    _estate, row = await published_statement(ctx, estate_id, month)
    return statement_file(row, "pdf")


@get(
    "/parking/estates/{estate_id:int}/statements/{month:str}/statement.xlsx",
    name="parking:api:statement-xlsx",
    summary="A published statement as XLSX (amounts in fen, the SHA-256)",
    media_type=exports.XLSX,
)
async def api_statement_xlsx(ctx: RequestContext, estate_id: int, month: str) -> Response[Any]:
    ctx.require(KEY, "view")
    _estate, row = await published_statement(ctx, estate_id, month)
    return statement_file(row, "xlsx")


@get(
    "/parking/estates/{estate_id:int}/violations.xlsx",
    name="parking:api:violations-xlsx",
    summary="An estate's violations as XLSX, plates masked (the committee, patrollers)",
    media_type=exports.XLSX,
)
async def api_violations_xlsx(ctx: RequestContext, estate_id: int) -> Response[Any]:
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _patrol_or_run(ctx, estate)
    view = await service.estate_view(ctx.session, estate, "zh")
    rows = await patrols.violations(ctx.session, estate_id=estate.id, limit=5000)
    return file_response(exports.violations_xlsx(view.name, rows), f"parking-violations-{estate.id}.xlsx", exports.XLSX)


@get(
    "/parking/dashboard/violations-trend",
    name="parking:api:violations-trend",
    summary="Violations per month and parking estate over the last twelve months (district staff)",
)
async def api_violations_trend(ctx: RequestContext) -> list[TrendMonthOut]:
    ctx.require(KEY, "manage")
    rows = await trend.violations_trend(ctx.session, money.today())
    return [TrendMonthOut(r.month, r.total, {str(k): v for k, v in r.by_estate.items()}) for r in rows]


DIVIDEND_API_ROUTES = [
    api_dividends,
    api_dividend_propose,
    api_dividend,
    api_dividend_ballot,
    api_dividend_close,
    api_dividend_pay,
    api_renew,
    api_renewals,
    api_renewal_decide,
    api_car_report,
    api_car_reports_mine,
    api_car_reports,
    api_car_report_record,
    api_car_report_dismiss,
    api_statement_pdf,
    api_statement_xlsx,
    api_violations_xlsx,
    api_violations_trend,
]
