"""The window: ``/d/{district}/one_window/intake`` (pick the item, find the resident, tick the documents, accept or
not), the intakes, one intake (tick documents brought later, not accept), and its printable papers (PDF).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException

from core.plugin_api import (
    TIMEZONE,
    Form,
    FormState,
    MissingFile,
    RequestContext,
    attempt,
    error_status,
    flashes,
    inline_file,
    page,
    redirect,
    residents,
    storage_for,
    workdays,
)
from core.plugin_api import gettext as _
from plugins.one_window import backoffice as bo
from plugins.one_window import eligibility, pdf, scans, service
from plugins.one_window import intake as svc
from plugins.one_window.manifest import KEY
from plugins.one_window.models import Intake, Item, ItemVersion
from plugins.one_window.routes import Upload

__all__ = ("INTAKE_ROUTES",)

STATUS_FILTERS = ("waiting", "accepted", "done", "refused")


def status_label(status: str) -> str:
    """An intake's status in the user's words."""
    labels = {
        "waiting": _("Waiting for documents"),
        "accepted": _("Accepted"),
        "refused": _("Not accepted"),
        "done": _("Finished"),
    }
    return labels.get(status, "")


def channel_label(channel: str) -> str:
    """A channel in the user's words."""
    labels = {
        "walk_in": _("At the window"),
        "phone": _("By phone"),
        "door_to_door": _("Door to door"),
        "web": _("Website"),
        "mobile": _("Mobile"),
    }
    return labels.get(channel, "")


def step_status_label(status: str) -> str:
    """A step's status in the user's words."""
    return {"open": _("In progress"), "done": _("Answered"), "waiting": _("Not started")}.get(status, "")


def decision_label(decision: str) -> str:
    """A department's decision in the user's words."""
    return {"agree": _("Agreed"), "disagree": _("Did not agree")}.get(decision, "")


def _ticks(data: dict[str, str]) -> frozenset[int]:
    return frozenset(int(k[4:]) for k, v in data.items() if k.startswith("doc_") and k[4:].isdigit() and v)


def _int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


async def _item(ctx: RequestContext, item_id: int | None) -> Item | None:
    return await service.get_item(ctx.session, item_id) if item_id is not None else None


async def _window(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    q: str,
    who: str,
    item: Item | None,
    person_id: int | None,
    state: FormState | None = None,
) -> Response[Any]:
    applicants = await residents.find_applicants(ctx.session, who[:50], locale=ctx.locale) if who.strip() else []
    chosen = None
    if person_id is not None:
        found = await residents.find_applicants(ctx.session, person_id=person_id, locale=ctx.locale)
        chosen = found[0] if found else None
    sensitive = ctx.can("resident", "view_sensitive")
    if state is None:
        values: dict[str, Any] = {"channel": "walk_in", "submission_key": svc.new_submission_key()}
        if chosen is not None:
            phone = chosen.phone if sensitive else residents.mask_phone(chosen.phone)
            values.update(applicant=chosen.name, phone=phone, address=chosen.address)
        state = FormState(values=values)
    names = await service.department_names(ctx.session, ctx.locale)
    checks = []
    if item is not None:
        checks = await svc.eligibility_of(ctx, item, person_id if chosen else None, svc.today_local(), item_id=item.id)
    return await page(
        request,
        ctx,
        "one_window/window.html",
        status_code=error_status(request, state) if not state.ok else 200,
        q=q,
        who=who,
        items=await service.list_items(ctx.session, q[:100], active_only=True) if q.strip() else [],
        item=item,
        department=names.get(item.department_id or 0, "") if item else "",
        checks=checks,
        check_label=eligibility.status_label,
        applicants=applicants,
        chosen=chosen,
        mask=(lambda phone: phone) if sensitive else residents.mask_phone,
        form=state,
        channels=[(c, channel_label(c)) for c in svc.CHANNELS],
    )


@get("/one_window/intake", name="one_window:window")
async def window(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    q: str = "",
    who: str = "",
    item: str | None = None,
    person: str | None = None,
) -> Response[Any]:
    """The window: search the item, search the resident in the register, then the prefilled form and checklist."""
    ctx.require(KEY, "intake")
    chosen_item = await _item(ctx, _int(item))
    return await _window(request, ctx, q=q[:100], who=who[:50], item=chosen_item, person_id=_int(person))


@post("/one_window/intake", name="one_window:intake_create", status_code=200)
async def intake_create(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Accept the request (or not, with reason and legal basis); a second post of the same form opens nothing new."""
    ctx.require(KEY, "intake")
    item = await _item(ctx, _int(data.get("item_id")))
    if item is None:
        raise NotFoundException(_("Not found."))
    person_id = _int(data.get("person_id"))
    state = FormState(values=dict(data))
    given = svc.IntakeInput(
        applicant=data.get("applicant", ""),
        phone=data.get("phone", ""),
        address=data.get("address", ""),
        details=data.get("details", ""),
        channel=data.get("channel", "walk_in"),
        person_id=person_id,
        received=_ticks(data),
        submission_key=data.get("submission_key", ""),
        register=data.get("register") == "on",
        acknowledge=data.get("acknowledge") == "on",
    )
    refusal = None
    if data.get("decision") == "refuse":
        refusal = (data.get("refusal_reason", ""), data.get("refusal_basis", ""))
    made = await attempt(ctx, lambda: svc.start_intake(ctx, item, given, refusal=refusal), state)
    if made is None:
        return await _window(request, ctx, q="", who="", item=item, person_id=person_id, state=state)
    if refusal:
        message = _("Not accepted: %(ref)s.", ref=made.reference)
    else:
        message = _("Received: %(ref)s.", ref=made.reference)
    return await redirect(request, ctx, ctx.url(f"/one_window/intakes/{made.id}"), message)


@get("/one_window/intakes", name="one_window:intakes")
async def intakes(request: Request[Any, Any, Any], ctx: RequestContext, status: str = "") -> Response[Any]:
    """The latest intakes, newest first; filtered by status."""
    ctx.require(KEY, "view")
    chosen = status if status in STATUS_FILTERS else ""
    return await page(
        request,
        ctx,
        "one_window/intakes.html",
        rows=await svc.list_intakes(ctx, chosen),
        status=chosen,
        statuses=[(s, status_label(s)) for s in STATUS_FILTERS],
        status_label=status_label,
        can_intake=ctx.can(KEY, "intake"),
    )


async def _intake_or_404(ctx: RequestContext, intake_id: int) -> tuple[Intake, ItemVersion]:
    """The intake and the item's version it was received under (what its notice, receipt and route follow)."""
    found = await svc.get_intake(ctx, intake_id)
    item = await service.get_version(ctx.session, found.item_id, found.item_version) if found else None
    if found is None or item is None:
        raise NotFoundException(_("Not found."))
    return found, item


async def _intake_page(
    request: Request[Any, Any, Any], ctx: RequestContext, intake_id: int, state: FormState | None = None
) -> Response[Any]:
    assert ctx.district is not None
    found, item = await _intake_or_404(ctx, intake_id)
    names = await service.department_names(ctx.session, ctx.locale)
    settings = await service.window_settings(ctx.session, ctx.district, ctx.host)
    calendar = await workdays.calendar_for(ctx.session, ctx.district)
    state = state or FormState()
    return await page(
        request,
        ctx,
        "one_window/intake.html",
        status_code=error_status(request, state) if not state.ok else 200,
        intake=found,
        item=item,
        notice=svc.notice_of(found, item, names.get(item.department_id or 0, ""), settings.window_address),
        route=await bo.steps_of(ctx.session, found.id),
        names=names,
        step_status_label=step_status_label,
        decision_label=decision_label,
        result_label=bo.result_label,
        promised=svc.promised_on(found, calendar),
        status_label=status_label,
        channel_label=channel_label,
        can_intake=ctx.can(KEY, "intake"),
        check_label=eligibility.status_label,
        scans=scans.grouped(await scans.scans_of(ctx, found.id)),
        received_documents=[(i, found.documents[i]["name"]) for i in sorted(found.received or [])],
        form=state,
        messages=await flashes(request, ctx),
    )


@get("/one_window/intakes/{intake_id:int}", name="one_window:intake")
async def intake_detail(request: Request[Any, Any, Any], ctx: RequestContext, intake_id: int) -> Response[Any]:
    """One intake: its status, the checklist, the one-time notice, the promised date, the papers to print."""
    ctx.require(KEY, "view")
    return await _intake_page(request, ctx, intake_id)


@post("/one_window/intakes/{intake_id:int}/documents", name="one_window:intake_documents", status_code=200)
async def intake_documents(
    request: Request[Any, Any, Any], ctx: RequestContext, intake_id: int, data: Form
) -> Response[Any]:
    """Tick documents brought later; the last missing one resumes the clock."""
    ctx.require(KEY, "intake")
    found, _item_row = await _intake_or_404(ctx, intake_id)
    state = FormState(values=dict(data))
    done = await attempt(ctx, lambda: svc.receive_documents(ctx, found, set(_ticks(data))), state)
    if done is None:
        return await _intake_page(request, ctx, intake_id, state)
    return await redirect(request, ctx, ctx.url(f"/one_window/intakes/{intake_id}"), _("Saved."))


@post("/one_window/intakes/{intake_id:int}/refuse", name="one_window:intake_refuse", status_code=200)
async def intake_refuse(
    request: Request[Any, Any, Any], ctx: RequestContext, intake_id: int, data: Form
) -> Response[Any]:
    """Record that the request is not accepted, with the reason and the legal basis."""
    ctx.require(KEY, "intake")
    found, _item_row = await _intake_or_404(ctx, intake_id)
    state = FormState(values=dict(data))
    reason, basis = data.get("refusal_reason", ""), data.get("refusal_basis", "")
    done = await attempt(ctx, lambda: svc.refuse_intake(ctx, found, reason, basis), state)
    if done is None:
        return await _intake_page(request, ctx, intake_id, state)
    return await redirect(request, ctx, ctx.url(f"/one_window/intakes/{intake_id}"), _("Saved."))


@post(
    "/one_window/intakes/{intake_id:int}/scans",
    name="one_window:intake_scan",
    status_code=200,
    request_max_body_size=scans.BODY_LIMIT,
)
async def intake_scan(
    request: Request[Any, Any, Any], ctx: RequestContext, intake_id: int, data: Upload
) -> Response[Any]:
    """Attach a scan (photo or PDF) to a document the window received."""
    ctx.require(KEY, "intake")
    found, _item_row = await _intake_or_404(ctx, intake_id)
    state = FormState(values={"document": str(data.get("document", ""))})
    done = await attempt(ctx, lambda: scans.attach_upload(ctx, found, data), state)
    if done is None:
        return await _intake_page(request, ctx, intake_id, state)
    return await redirect(request, ctx, ctx.url(f"/one_window/intakes/{intake_id}"), _("Scan attached."))


@get("/one_window/intakes/{intake_id:int}/scans/{scan_id:int}", name="one_window:intake_scan_file")
async def intake_scan_file(ctx: RequestContext, intake_id: int, scan_id: int) -> Response[bytes]:
    """A scan, to open in the browser: staff who see the intakes, and the departments the request was sent to."""
    found = await svc.get_intake(ctx, intake_id)
    if found is None or not await scans.may_see_scans(ctx, found):
        raise NotFoundException(_("Not found."))
    row = next((s for s in await scans.scans_of(ctx, intake_id) if s.id == scan_id), None)
    if row is None:
        raise NotFoundException(_("Not found."))
    try:
        content = await storage_for(ctx).read(row.key)
    except (MissingFile, ValueError):
        raise NotFoundException(_("The file is missing.")) from None
    return inline_file(content, row.content_type, row.name)


def _pdf(build: Callable[[], bytes], name: str) -> Response[bytes]:
    """The PDF ``build`` makes, or 503 with the reason when the server has no CJK font."""
    try:
        body = build()
    except pdf.FontMissing as exc:
        return Response(str(exc).encode(), status_code=503, media_type="text/plain; charset=utf-8")
    return Response(body, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@get("/one_window/intakes/{intake_id:int}/notice.pdf", name="one_window:notice_pdf")
async def notice_pdf(ctx: RequestContext, intake_id: int) -> Response[bytes]:
    """The one-time notice (一次性告知单) as a printable PDF."""
    ctx.require(KEY, "view")
    assert ctx.district is not None
    found, item = await _intake_or_404(ctx, intake_id)
    names = await service.department_names(ctx.session, "zh_CN")
    settings = await service.window_settings(ctx.session, ctx.district, ctx.host)
    notice = svc.notice_of(found, item, names.get(item.department_id or 0, ""), settings.window_address)
    return _pdf(lambda: pdf.notice_pdf(notice), f"notice-{found.reference}.pdf")


@get("/one_window/intakes/{intake_id:int}/receipt.pdf", name="one_window:receipt_pdf")
async def receipt_pdf(ctx: RequestContext, intake_id: int) -> Response[bytes]:
    """The receipt (受理回执): the reference and the promised date."""
    ctx.require(KEY, "view")
    assert ctx.district is not None
    found, item = await _intake_or_404(ctx, intake_id)
    if found.status == "refused":
        raise NotFoundException(_("Not found."))
    settings = await service.window_settings(ctx.session, ctx.district, ctx.host)
    calendar = await workdays.calendar_for(ctx.session, ctx.district)
    received = [d["name"] for i, d in enumerate(found.documents) if i in set(found.received)]
    promised = svc.promised_on(found, calendar)

    def build() -> bytes:
        return pdf.receipt_pdf(
            found.reference,
            found.applicant,
            item.title,
            item.code,
            received=received,
            day=found.accepted_on,
            promised=promised,
            time_limit_days=found.time_limit_days,
            office=settings.window_address,
        )

    return _pdf(build, f"receipt-{found.reference}.pdf")


@get("/one_window/intakes/{intake_id:int}/refusal.pdf", name="one_window:refusal_pdf")
async def refusal_pdf(ctx: RequestContext, intake_id: int) -> Response[bytes]:
    """The notice of non-acceptance (不予受理通知书) with the reason and the legal basis."""
    ctx.require(KEY, "view")
    assert ctx.district is not None
    found, item = await _intake_or_404(ctx, intake_id)
    if found.status != "refused":
        raise NotFoundException(_("Not found."))
    settings = await service.window_settings(ctx.session, ctx.district, ctx.host)
    day = found.updated_at.astimezone(TIMEZONE).date()

    def build() -> bytes:
        return pdf.refusal_pdf(
            found.reference,
            found.applicant,
            item.title,
            item.code,
            reason=found.refusal_reason,
            basis=found.refusal_basis,
            day=day,
            office=settings.window_address,
        )

    return _pdf(build, f"refusal-{found.reference}.pdf")


INTAKE_ROUTES = [
    window,
    intake_create,
    intakes,
    intake_detail,
    intake_documents,
    intake_refuse,
    intake_scan,
    intake_scan_file,
    notice_pdf,
    receipt_pdf,
    refusal_pdf,
]
