"""JSON API of the grants remainder (under ``/api/v1/districts/{district}/grants``, registered by one line in
``hooks.py``): application documents, the call's own questions and the answers, the call's setup
(case type, reviewers per pool), reviewer pools and assignment by pool, co-funder payments, the project
statement as PDF, and files of progress reports. Money in fen; refusals answer 4xx with ``detail`` and
``errors`` by field, writing nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, TypedDict

from litestar import Response, delete, get, post, put
from litestar.enums import RequestEncodingType
from litestar.params import Body

from core.plugin_api import NotFound, RequestContext, storage_for
from plugins.grants import evaluation, extra
from plugins.grants.access import call_or_404, viewer_of
from plugins.grants.routes_extra import ledger_pdf_file, open_file, read_uploads

__all__ = ("EXTRA_API_ROUTES",)

Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


@dataclass(frozen=True)
class DocumentOut:
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    url: str


def _doc(ctx: RequestContext, application_id: int, row: Any) -> DocumentOut:
    return DocumentOut(
        row.id,
        row.name,
        row.content_type,
        row.size,
        row.sha256,
        ctx.url(f"/grants/applications/{application_id}/files/{row.id}"),
    )


@get(
    "/grants/applications/{application_id:int}/files",
    name="grants:api:app-files",
    summary="An application's documents (the applicant, staff, its reviewers)",
)
async def api_files(ctx: RequestContext, application_id: int) -> list[DocumentOut]:
    app, _viewer = await viewer_of(ctx, application_id)
    return [_doc(ctx, app.id, r) for r in await extra.files_of(ctx, app.id)]


@post(
    "/grants/applications/{application_id:int}/files",
    name="grants:api:app-files-add",
    request_max_body_size=extra.BODY_LIMIT,
    status_code=201,
    summary="Attach documents (multipart field `files`: PDF, JPEG/PNG, .docx, .xlsx; 10 MB each, 10 in all)",
)
async def api_files_add(ctx: RequestContext, application_id: int, data: Upload) -> list[DocumentOut]:
    assert ctx.district is not None
    app, viewer = await viewer_of(ctx, application_id)
    if viewer != "applicant":
        raise NotFound("未找到。", "Not found.")
    files = await read_uploads(data, extra.FILE_MAX_BYTES)
    storage = storage_for(ctx)
    prefix = f"grants/{ctx.district.code}/applications"
    added = await extra.add_files(ctx, app, files, lambda b: storage.save(b, prefix=prefix))
    return [_doc(ctx, app.id, r) for r in added]


@delete(
    "/grants/applications/{application_id:int}/files/{file_id:int}",
    name="grants:api:app-file-delete",
    status_code=204,
    summary="Remove a document from a draft (the applicant)",
)
async def api_file_delete(ctx: RequestContext, application_id: int, file_id: int) -> None:
    app, viewer = await viewer_of(ctx, application_id)
    if viewer != "applicant":
        raise NotFound("未找到。", "Not found.")
    key = await extra.remove_file(ctx, app, file_id)
    await storage_for(ctx).delete(key)  # the bytes too


@get(
    "/grants/applications/{application_id:int}/files/{file_id:int}",
    name="grants:api:app-file",
    summary="A document's bytes",
)
async def api_file(ctx: RequestContext, application_id: int, file_id: int) -> Response[bytes]:
    return await open_file.fn(ctx, application_id, file_id)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class AnswerOut:
    key: str
    label: str
    text: str


@dataclass(frozen=True)
class AnswersOut:
    """The call's own questions (``case_type``, empty when none) and the application's answers: stored
    values by field key, and as text for people."""

    case_type: str
    answers: dict[str, Any]
    shown: list[AnswerOut]


async def _answers_out(ctx: RequestContext, app: Any) -> AnswersOut:
    call = await call_or_404(ctx, app.call_id)
    definition = await extra.application_form(ctx, call)
    row = await extra.answers_of(ctx, app.id)
    shown = [AnswerOut(a.key, a.label, a.text) for a in await extra.shown_answers(ctx, app, call)]
    return AnswersOut(definition.key if definition else "", dict(row.answers) if row else {}, shown)


@get(
    "/grants/applications/{application_id:int}/answers",
    name="grants:api:answers",
    summary="The application's answers to its call's own questions",
)
async def api_answers(ctx: RequestContext, application_id: int) -> AnswersOut:
    app, _viewer = await viewer_of(ctx, application_id)
    return await _answers_out(ctx, app)


@put(
    "/grants/applications/{application_id:int}/answers",
    name="grants:api:answers-save",
    summary="Answer the call's own questions (the applicant; validated by the builder form)",
)
async def api_answers_save(ctx: RequestContext, application_id: int, data: dict[str, Any]) -> AnswersOut:
    app, viewer = await viewer_of(ctx, application_id)
    if viewer != "applicant":
        raise NotFound("未找到。", "Not found.")
    call = await call_or_404(ctx, app.call_id)
    await extra.save_answers(ctx, app, call, dict(data), source="json")
    return await _answers_out(ctx, app)


@dataclass(frozen=True)
class SetupOut:
    """A call's own questions (a builder case type key, "" for none) and reviewers per application by pool."""

    case_type: str
    pool_quota: dict[str, int]


class SetupIn(TypedDict, total=False):
    case_type: str
    pool_quota: dict[str, int]


@get("/grants/calls/{call_id:int}/setup", name="grants:api:setup", summary="A call's questions and pool quota")
async def api_setup(ctx: RequestContext, call_id: int) -> SetupOut:
    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    row = await extra.call_form(ctx, call.id)
    return SetupOut(row.case_type_key if row else "", dict(row.pool_quota) if row else {})


@put(
    "/grants/calls/{call_id:int}/setup",
    name="grants:api:setup-save",
    summary="Choose the call's questions (case type) and reviewers per pool (staff)",
)
async def api_setup_save(ctx: RequestContext, call_id: int, data: SetupIn) -> SetupOut:
    call = await call_or_404(ctx, call_id)
    quota = data.get("pool_quota") or {}
    if not isinstance(quota, dict):
        quota = {}
    row = await extra.set_call_form(ctx, call, str(data.get("case_type") or ""), quota)
    return SetupOut(row.case_type_key, dict(row.pool_quota))


@dataclass(frozen=True)
class PoolMemberOut:
    user_id: int
    name: str
    pool: str
    categories: list[str]


class PoolIn(TypedDict, total=False):
    """``member`` false takes the reviewer out of the pool."""

    user_id: int
    pool: str
    categories: list[str]
    member: bool


async def _pools_out(ctx: RequestContext) -> list[PoolMemberOut]:
    return [
        PoolMemberOut(u.id, u.display_name or u.username, m.pool, list(m.categories))
        for m, u in await extra.pool_members(ctx)
    ]


@get("/grants/pools", name="grants:api:pools", summary="Reviewer pools: expert, finance, community (staff)")
async def api_pools(ctx: RequestContext) -> list[PoolMemberOut]:
    ctx.require("grants", "manage")
    return await _pools_out(ctx)


@put("/grants/pools", name="grants:api:pools-save", summary="Put a reviewer in a pool or take them out (staff)")
async def api_pools_save(ctx: RequestContext, data: PoolIn) -> list[PoolMemberOut]:
    try:
        user_id = int(data.get("user_id") or 0)
    except (TypeError, ValueError):
        user_id = 0
    categories = data.get("categories") or []
    await extra.set_pool(
        ctx,
        user_id,
        str(data.get("pool") or ""),
        [str(c) for c in categories] if isinstance(categories, list) else [],
        member=data.get("member", True) is not False,
    )
    return await _pools_out(ctx)


@dataclass(frozen=True)
class AssignedOut:
    assigned: int


@post(
    "/grants/calls/{call_id:int}/auto-assign-pools",
    name="grants:api:auto-assign-pools",
    status_code=200,
    summary="Assign reviewers to screened applications from each pool, as the call's quota says (staff)",
)
async def api_auto_assign_pools(ctx: RequestContext, call_id: int) -> AssignedOut:
    call = await call_or_404(ctx, call_id)
    return AssignedOut(await extra.auto_assign_by_pool(ctx, call))


@dataclass(frozen=True)
class CoPaymentOut:
    funder_id: int
    amount_fen: int
    transfer_id: int
    paid_at: datetime


@post(
    "/grants/applications/{application_id:int}/funders/{funder_id:int}/payment",
    name="grants:api:co-funder-pay",
    status_code=200,
    summary="A co-funder's committed money paid into the project account on the ledger (staff; once)",
)
async def api_co_funder_pay(ctx: RequestContext, application_id: int, funder_id: int) -> CoPaymentOut:
    app, _viewer = await viewer_of(ctx, application_id)
    paid = await extra.pay_co_funder(ctx, app, funder_id)
    return CoPaymentOut(paid.funder_id, paid.amount_fen, paid.transfer_id, paid.paid_at)


@get(
    "/grants/applications/{application_id:int}/ledger.pdf",
    name="grants:api:ledger-pdf",
    media_type="application/pdf",
    summary="The project account's statement as PDF",
)
async def api_ledger_pdf(ctx: RequestContext, application_id: int) -> Response[bytes]:
    return await ledger_pdf_file.fn(ctx, application_id)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class ReportFileOut:
    number: int
    name: str
    type: str
    url: str


@post(
    "/grants/reports/{report_id:int}/files",
    name="grants:api:report-files",
    request_max_body_size=extra.BODY_LIMIT,
    status_code=201,
    summary="Attach photos or PDFs to a report the organization has submitted and staff have not accepted",
)
async def api_report_files(ctx: RequestContext, report_id: int, data: Upload) -> list[ReportFileOut]:
    assert ctx.district is not None
    report, app = await evaluation.report_or_404(ctx.session, report_id)
    _app, viewer = await evaluation.project_viewer(ctx, app.id)
    if viewer != "applicant":
        raise NotFound("未找到。", "Not found.")
    files = await read_uploads(data, evaluation.FILE_MAX_BYTES)
    storage = storage_for(ctx)
    prefix = f"grants/{ctx.district.code}/reports"
    await extra.add_report_files(ctx, report, files, lambda b: storage.save(b, prefix=prefix))
    return [
        ReportFileOut(i, f["name"], f["type"], ctx.url(f"/grants/reports/{report.id}/files/{i}"))
        for i, f in enumerate(report.files, start=1)
    ]


@get("/grants/reports/{report_id:int}/files/{number:int}", name="grants:api:report-file", summary="A report's file")
async def api_report_file(ctx: RequestContext, report_id: int, number: int) -> Response[bytes]:
    from plugins.grants.routes_reports import report_file  # noqa: PLC0415

    return await report_file.fn(ctx, report_id, number)  # type: ignore[no-any-return]


EXTRA_API_ROUTES: list[Any] = [
    api_files,
    api_files_add,
    api_file_delete,
    api_file,
    api_answers,
    api_answers_save,
    api_setup,
    api_setup_save,
    api_pools,
    api_pools_save,
    api_auto_assign_pools,
    api_co_funder_pay,
    api_ledger_pdf,
    api_report_files,
    api_report_file,
]
