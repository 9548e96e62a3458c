"""Pages for the dividend, renewals, residents' reports and the exports.

- ``/parking/estates/{id}/dividends``   everyone: the dividends; the committee proposes one (to the owners' vote)
- ``/parking/dividends/{id}``           the vote (owners online, committee enters paper ballots), pay, the shares
- ``/parking/mine/renewals``            a resident: renew an issued card (the committee approves)
- ``/parking/estates/{id}/renewals``    the committee: renewals waiting, approve or refuse
- ``/parking/mine/report``              a resident: report a wrongly parked car with a photo
- ``/parking/estates/{id}/reports``     patrollers (and the committee): residents' reports, record or dismiss
- ``/parking/estates/{id}/violations.xlsx`` and ``/public/parking/estates/{id}/statements/{month}/statement.pdf|.xlsx``
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
from plugins.parking import conventions, dividend, exports, money, patrols, permits, resident, service
from plugins.parking.manifest import KEY
from plugins.parking.models import ParkingEstate, Permit
from plugins.parking.models_dividend import DIVIDEND_METHODS, CarReport
from plugins.parking.models_money import FundLine
from plugins.parking.plates import mask_plate
from plugins.parking.routes import CHANNEL_LABELS, Upload, may_run
from plugins.parking.routes_money import money_helpers
from plugins.parking.routes_patrols import store_photo
from plugins.parking.seed_dividend import demo_photo

__all__ = ("DIVIDEND_ROUTES", "PUBLIC_EXPORT_ROUTES")


def _helpers(ctx: RequestContext) -> dict[str, Any]:
    return {
        **money_helpers(ctx),
        "d_status": dividend.status_label,
        "d_method": dividend.method_label,
        "r_status": resident.renewal_status_label,
        "rep_status": resident.report_status_label,
        "local": lambda moment: moment.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M") if moment else "",
    }


async def _role(ctx: RequestContext, estate: ParkingEstate) -> str | None:
    return await service.committee_role(ctx.session, estate.id, ctx.user.id if ctx.user else None, money.today())


async def _require_run(ctx: RequestContext, estate: ParkingEstate) -> None:
    if not await may_run(ctx, estate):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))


# ---------------------------------------------------------------- dividends


async def _dividends_page(
    request: Request[Any, Any, Any], ctx: RequestContext, estate: ParkingEstate, form: FormState
) -> Response[Any]:
    fund = await money.ensure_fund(ctx.session, estate)
    return await page(
        request,
        ctx,
        "parking/dividend/list.html",
        status_code=error_status(request, form) if not form.ok else 200,
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        dividends=await dividend.dividends(ctx.session, estate.id),
        balance=await money.balance(ctx.session, fund),
        can_run=await may_run(ctx, estate),
        methods=[(m, dividend.method_label(m)) for m in DIVIDEND_METHODS],
        form=form,
        notices=await flashes(request, ctx),
        **_helpers(ctx),
    )


@get("/parking/estates/{estate_id:int}/dividends", name="parking:dividends")
async def dividends_page(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int) -> Response[Any]:
    """The estate's surplus dividends; the committee's form to propose one to the owners' vote."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    return await _dividends_page(request, ctx, estate, FormState())


@post("/parking/estates/{estate_id:int}/dividends", name="parking:dividend-propose", status_code=200)
async def dividend_propose(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, data: Form
) -> Response[Any]:
    """Propose a dividend: it goes to the owners' vote at once."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    form = FormState(values=dict(data))
    by = ctx.user.id if ctx.user else None
    staff = ctx.can(KEY, "manage")
    row = await attempt(ctx, lambda: dividend.propose(ctx.session, estate, data, by=by, staff=staff), form)
    if not form.ok:
        return await _dividends_page(request, ctx, estate, form)
    return await redirect(request, ctx, ctx.url(f"/parking/dividends/{row.id}"), _("The owners' vote is open."))


@get("/parking/dividends/{dividend_id:int}", name="parking:dividend")
async def dividend_page(request: Request[Any, Any, Any], ctx: RequestContext, dividend_id: int) -> Response[Any]:
    """A dividend: its vote (figures, thresholds, ballots), the treasurer's button, the households' shares."""
    ctx.require(KEY, "view")
    row, estate = await dividend.dividend_or_404(ctx.session, dividend_id)
    can_run = await may_run(ctx, estate)
    role = await _role(ctx, estate)
    owned = await conventions.owned_households(ctx.session, ctx.user.id, estate) if ctx.user else []
    tally = await dividend.tally(ctx.session, row)
    voted = {b.voter_ref for b in tally.ballots} if tally else set()
    addresses = dict(await permits.household_choices(ctx.session, estate)) if can_run or owned else {}
    shares = await dividend.shares(ctx.session, row.id) if row.status == "paid" else []
    mine = {conventions.household_ref(h) for h in owned}
    fund = await money.ensure_fund(ctx.session, estate)
    line = await ctx.session.get(FundLine, row.fund_line_id) if row.fund_line_id else None
    return await page(
        request,
        ctx,
        "parking/dividend/detail.html",
        dividend=row,
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        tally=tally,
        can_run=can_run,
        is_treasurer=role == "treasurer",
        balance=await money.balance(ctx.session, fund),
        my_households=[(h, addresses.get(h, "")) for h in owned if conventions.household_ref(h) not in voted],
        households=[(h, a) for h, a in addresses.items() if conventions.household_ref(h) not in voted],
        addresses={conventions.household_ref(h): a for h, a in addresses.items()},
        channels=[(k, _(v)) for k, v in CHANNEL_LABELS.items()],
        shares=shares if can_run else [s for s in shares if s.voter_ref in mine],
        share_total=sum(s.amount_fen for s in shares),
        share_count=len(shares),
        line_month=line.month if line else None,
        notices=await flashes(request, ctx),
        **_helpers(ctx),
    )


@post("/parking/dividends/{dividend_id:int}/ballot", name="parking:dividend-ballot", status_code=200)
async def dividend_ballot(
    request: Request[Any, Any, Any], ctx: RequestContext, dividend_id: int, data: Form
) -> Response[Any]:
    """An owner's own ballot (online), or the committee entering a paper/hand/door-to-door ballot."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    row, estate = await dividend.dividend_or_404(ctx.session, dividend_id)
    back = ctx.url(f"/parking/dividends/{row.id}")
    channel = str(data.get("channel") or "online")
    household = str(data.get("household_id") or "")
    if channel == "online":
        owned = await conventions.owned_households(ctx.session, ctx.user.id, estate)
        if not household.isdigit() or int(household) not in owned:
            raise Forbidden(_("You vote only for a household you own."))
    else:
        await _require_run(ctx, estate)
    if not household.isdigit():
        return await redirect(request, ctx, back, _("Choose the household."))
    user_id = ctx.user.id
    choice = str(data.get("choice") or "")
    return await act(
        request,
        ctx,
        back,
        lambda: dividend.cast(ctx.session, row, int(household), choice, channel=channel, entered_by=user_id),
        _("The ballot is counted."),
    )


@post("/parking/dividends/{dividend_id:int}/close", name="parking:dividend-close", status_code=200)
async def dividend_close(
    request: Request[Any, Any, Any], ctx: RequestContext, dividend_id: int, data: Form
) -> Response[Any]:
    """Close the owners' vote and count."""
    ctx.require(KEY, "view")
    row, estate = await dividend.dividend_or_404(ctx.session, dividend_id)
    await _require_run(ctx, estate)
    back = ctx.url(f"/parking/dividends/{row.id}")
    return await act(request, ctx, back, lambda: dividend.close(ctx.session, row), _("The vote is closed."))


@post("/parking/dividends/{dividend_id:int}/pay", name="parking:dividend-pay", status_code=200)
async def dividend_pay(
    request: Request[Any, Any, Any], ctx: RequestContext, dividend_id: int, data: Form
) -> Response[Any]:
    """The treasurer pays the adopted dividend: one fund line, one share per household."""
    ctx.require(KEY, "view")
    row, estate = await dividend.dividend_or_404(ctx.session, dividend_id)
    back = ctx.url(f"/parking/dividends/{row.id}")
    by = ctx.user.id if ctx.user else None
    return await act(
        request,
        ctx,
        back,
        lambda: dividend.pay(ctx.session, row, estate, by=by, locale=ctx.locale),
        _("Paid: every household's share is recorded."),
    )


# ---------------------------------------------------------------- renewals


async def _my_cards(ctx: RequestContext) -> list[tuple[Permit, str]]:
    assert ctx.user is not None
    households = await residents.households_of_user(ctx.session, ctx.user.id, ctx.locale)
    addresses = {h.household_id: h.address for h in households}
    if not addresses:
        return []
    from sqlalchemy import select  # noqa: PLC0415

    query = select(Permit).where(Permit.household_id.in_(list(addresses))).order_by(Permit.id)
    return [(p, addresses.get(p.household_id or 0, "")) for p in (await ctx.session.execute(query)).scalars()]


@get("/parking/mine/renewals", name="parking:mine-renewals")
async def mine_renewals(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """My household's cards with a renew button, and my renewal requests (made for a phone)."""
    ctx.require(KEY, "view")
    cards = await _my_cards(ctx)
    rows = await resident.renewals(ctx.session, permit_ids=[p.id for p, _a in cards])
    waiting = {r.permit_id for r in rows if r.status == "requested"}
    return await page(
        request,
        ctx,
        "parking/dividend/mine_renewals.html",
        cards=cards,
        plates={p.id: p.plate for p, _a in cards},
        renewals=rows,
        waiting=waiting,
        notices=await flashes(request, ctx),
        **_helpers(ctx),
    )


@post("/parking/mine/renewals/{permit_id:int}", name="parking:renew", status_code=200)
async def renew(request: Request[Any, Any, Any], ctx: RequestContext, permit_id: int, data: Form) -> Response[Any]:
    """Ask the committee to renew one of my household's issued cards."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    user_id = ctx.user.id
    return await act(
        request,
        ctx,
        ctx.url("/parking/mine/renewals"),
        lambda: resident.request_renewal(ctx.session, permit_id, user_id=user_id),
        _("Renewal requested: the committee decides."),
    )


@get("/parking/estates/{estate_id:int}/renewals", name="parking:renewals")
async def renewals_page(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int) -> Response[Any]:
    """The committee's list of renewals: waiting first, with approve and refuse."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _require_run(ctx, estate)
    rows = await resident.renewals(ctx.session, estate_id=estate.id)
    cards = {p.id: p for p in await permits.permits(ctx.session, estate.id)}
    return await page(
        request,
        ctx,
        "parking/dividend/renewals.html",
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        waiting=[r for r in rows if r.status == "requested"],
        decided=[r for r in rows if r.status != "requested"][:50],
        cards=cards,
        addresses=dict(await permits.household_choices(ctx.session, estate)),
        notices=await flashes(request, ctx),
        **_helpers(ctx),
    )


@post("/parking/renewals/{renewal_id:int}/{action:str}", name="parking:renewal-decide", status_code=200)
async def renewal_decide(
    request: Request[Any, Any, Any], ctx: RequestContext, renewal_id: int, action: str, data: Form
) -> Response[Any]:
    """Approve (one more year) or refuse (with a reason) a renewal."""
    ctx.require(KEY, "view")
    row, estate = await resident.renewal_or_404(ctx.session, renewal_id)
    await _require_run(ctx, estate)
    if action not in ("approve", "refuse"):
        raise NotFound(_("Not found."))
    by = ctx.user.id if ctx.user else None
    staff = ctx.can(KEY, "manage")
    back = ctx.url(f"/parking/estates/{estate.id}/renewals")
    if action == "approve":
        return await act(
            request,
            ctx,
            back,
            lambda: resident.approve_renewal(ctx.session, row, estate, by=by, staff=staff),
            _("Renewed for one more year."),
        )
    note = data.get("note")
    return await act(
        request,
        ctx,
        back,
        lambda: resident.refuse_renewal(ctx.session, row, estate, note, by=by, staff=staff),
        _("Renewal refused."),
    )


# ---------------------------------------------------------------- residents' reports


async def _report_page(request: Request[Any, Any, Any], ctx: RequestContext, form: FormState) -> Response[Any]:
    assert ctx.user is not None
    estates = await resident.my_estates(ctx.session, ctx.user.id)
    options = [(str(e.id), (await service.estate_view(ctx.session, e, ctx.locale)).name) for e in estates]
    return await page(
        request,
        ctx,
        "parking/dividend/report.html",
        status_code=error_status(request, form) if not form.ok else 200,
        estate_options=options,
        reports=await resident.reports(ctx.session, reported_by=ctx.user.id),
        mask_plate=mask_plate,
        form=form,
        notices=await flashes(request, ctx),
        **_helpers(ctx),
    )


@get("/parking/mine/report", name="parking:mine-report")
async def mine_report(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Report a wrongly parked car with a photo (made for a phone); my reports and what became of them."""
    ctx.require(KEY, "view")
    return await _report_page(request, ctx, FormState())


@post("/parking/mine/report", name="parking:mine-report-send", status_code=200)
async def mine_report_send(request: Request[Any, Any, Any], ctx: RequestContext, data: Upload) -> Response[Any]:
    """The resident's report: checked, then the photo saved, then the report stored for the patrollers."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    fields = {k: v for k, v in data.items() if isinstance(v, str)}
    upload = data.get("photo")
    content, filename = b"", ""
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(patrols.MAX_PHOTO + 1)
        filename = upload.filename
    form = FormState(values=fields)
    user_id = ctx.user.id

    async def run() -> CarReport:
        values = await resident.clean_car_report(ctx.session, user_id, fields, has_photo=bool(filename))
        evidence = await store_photo(ctx, filename, content)
        return await resident.file_car_report(ctx.session, user_id, values, evidence)

    await attempt(ctx, run, form)
    if not form.ok:
        return await _report_page(request, ctx, form)
    return await redirect(
        request, ctx, ctx.url("/parking/mine/report"), _("Report sent: the estate's patrollers will check it.")
    )


async def _may_handle(ctx: RequestContext, estate: ParkingEstate) -> tuple[bool, bool]:
    """(is a patroller, may run the estate); 403 for others."""
    user_id = ctx.user.id if ctx.user else None
    patroller = await patrols.is_patroller(ctx.session, estate.id, user_id)
    run = await may_run(ctx, estate)
    if not (patroller or run):
        raise Forbidden(_("Only the estate's parking committee or community staff may do this."))
    return patroller, run


@get("/parking/estates/{estate_id:int}/reports", name="parking:reports")
async def reports_page(request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int) -> Response[Any]:
    """Residents' reports of wrongly parked cars: open ones first; a patroller records or dismisses each."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    patroller, _run = await _may_handle(ctx, estate)
    rows = await resident.reports(ctx.session, estate_id=estate.id)
    return await page(
        request,
        ctx,
        "parking/dividend/reports.html",
        estate=await service.estate_view(ctx.session, estate, ctx.locale),
        open_reports=[r for r in rows if r.status == "open"],
        handled=[r for r in rows if r.status != "open"][:50],
        is_patroller=patroller,
        notices=await flashes(request, ctx),
        **_helpers(ctx),
    )


@post("/parking/reports/{report_id:int}/{action:str}", name="parking:report-handle", status_code=200)
async def report_handle(
    request: Request[Any, Any, Any], ctx: RequestContext, report_id: int, action: str, data: Form
) -> Response[Any]:
    """A patroller records the report as a violation (the owner is notified) or dismisses it with a reason."""
    ctx.require(KEY, "view")
    assert ctx.user is not None
    row, estate = await resident.report_or_404(ctx.session, report_id)
    await _may_handle(ctx, estate)
    if action not in ("record", "dismiss"):
        raise NotFound(_("Not found."))
    by = ctx.user.id
    back = ctx.url(f"/parking/estates/{estate.id}/reports")
    if action == "record":
        link = ctx.url("/parking/violations/mine")
        return await act(
            request,
            ctx,
            back,
            lambda: resident.record_report(ctx.session, row, by=by, link=link),
            _("Recorded as a violation; the owner is notified."),
        )
    note = data.get("note")
    return await act(
        request, ctx, back, lambda: resident.dismiss_report(ctx.session, row, note, by=by), _("Report dismissed.")
    )


@get("/parking/reports/{report_id:int}/photo", name="parking:report-photo")
async def report_photo(ctx: RequestContext, report_id: int) -> Stream:
    """The report's photo: to the reporter, the estate's patrollers, the committee and staff."""
    ctx.require(KEY, "view")
    row, estate = await resident.report_or_404(ctx.session, report_id)
    user_id = ctx.user.id if ctx.user else None
    if row.reported_by != user_id:
        await _may_handle(ctx, estate)
    if row.photo_key.startswith("demo/"):  # the demo's photos are generated, not stored
        body = demo_photo()
    else:
        try:
            body = await storage_for(ctx).read(row.photo_key)
        except (MissingFile, ValueError):
            raise NotFound(_("Not found.")) from None
    return Stream(
        iter([body]),
        media_type=row.photo_type or "application/octet-stream",
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


# ---------------------------------------------------------------- exports


def file_response(content: bytes, filename: str, media_type: str) -> Response[Any]:
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "X-Content-Type-Options": "nosniff"},
    )


async def published_statement(ctx: RequestContext, estate_id: int, month: str) -> tuple[ParkingEstate, Any]:
    """The estate and its published statement of ``month`` (``2026-11``), or 404."""
    estate = await service.estate_or_404(ctx.session, estate_id)
    try:
        first = money.parse_month(month)
    except money.Refused:
        raise NotFound(_("Not found.")) from None
    row = await money.published(ctx.session, estate.id, first)
    if row is None:
        raise NotFound(_("This statement is not published."))
    return estate, row


def statement_file(row: Any, kind: str) -> Response[Any]:
    name = f"parking-statement-{row.parking_estate_id}-{row.month.strftime('%Y-%m')}.{kind}"
    if kind == "pdf":
        try:
            return file_response(exports.statement_pdf(row), name, "application/pdf")
        except exports.FontMissing as exc:
            raise NotFound(str(exc)) from None
    return file_response(exports.statement_xlsx(row), name, exports.XLSX)


@get("/parking/estates/{estate_id:int}/statements/{month:str}/statement.pdf", name="parking:public-statement-pdf")
async def public_statement_pdf(ctx: RequestContext, estate_id: int, month: str) -> Response[Any]:
    """A published statement as a printable PDF (its SHA-256 printed on it)."""
    _estate, row = await published_statement(ctx, estate_id, month)
    return statement_file(row, "pdf")


@get("/parking/estates/{estate_id:int}/statements/{month:str}/statement.xlsx", name="parking:public-statement-xlsx")
async def public_statement_xlsx(ctx: RequestContext, estate_id: int, month: str) -> Response[Any]:
    """A published statement as a workbook (amounts in fen, the SHA-256)."""
    _estate, row = await published_statement(ctx, estate_id, month)
    return statement_file(row, "xlsx")


@get("/parking/estates/{estate_id:int}/violations.xlsx", name="parking:violations-xlsx")
async def violations_export(ctx: RequestContext, estate_id: int) -> Response[Any]:
    """The estate's violations as a workbook, plates masked (the committee, patrollers and staff)."""
    ctx.require(KEY, "view")
    estate = await service.estate_or_404(ctx.session, estate_id)
    await _may_handle(ctx, estate)
    view = await service.estate_view(ctx.session, estate, "zh")
    rows = await patrols.violations(ctx.session, estate_id=estate.id, limit=5000)
    return file_response(exports.violations_xlsx(view.name, rows), f"parking-violations-{estate.id}.xlsx", exports.XLSX)


DIVIDEND_ROUTES = [
    dividends_page,
    dividend_propose,
    dividend_page,
    dividend_ballot,
    dividend_close,
    dividend_pay,
    mine_renewals,
    renew,
    renewals_page,
    renewal_decide,
    mine_report,
    mine_report_send,
    reports_page,
    report_handle,
    report_photo,
    violations_export,
]
PUBLIC_EXPORT_ROUTES = [public_statement_pdf, public_statement_xlsx]
