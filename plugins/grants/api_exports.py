"""The exports in the JSON API (registered by one line at the end of ``api.py``), all in OpenAPI:

- ``GET /grants/calls/{id}/awards`` the award list (JSON), ``awards.xlsx`` and ``awards.pdf`` (the notice);
- ``GET /grants/calls/{id}/scores.xlsx`` every review's scores and the ranking (staff);
- ``GET /grants/applications/{id}/ledger`` the project account's statement (JSON) and ``ledger.xlsx``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from litestar import Response, get

from core.plugin_api import RequestContext, organizations
from plugins.grants.access import call_or_404
from plugins.grants.exports import scores_xlsx
from plugins.grants.exports_awards import XLSX, award_list, awards_pdf, awards_xlsx, ledger_xlsx, project_ledger
from plugins.grants.routes_exports import download, funded_project

__all__ = ("EXPORT_API_ROUTES",)


@dataclass(frozen=True)
class AwardOut:
    number: int
    application_id: int
    title: str
    organization: str
    category: str
    award_fen: int
    override_reason: str


@dataclass(frozen=True)
class LedgerFunderOut:
    kind: str
    name: str
    committed_fen: int


@dataclass(frozen=True)
class LedgerLineOut:
    day: date
    description: str
    amount_fen: int
    balance_fen: int


@dataclass(frozen=True)
class LedgerOut:
    application_id: int
    title: str
    organization: str
    award_fen: int
    committed_fen: int
    opening_fen: int
    closing_fen: int
    funders: list[LedgerFunderOut]
    lines: list[LedgerLineOut]


@get("/grants/calls/{call_id:int}/awards", name="grants:api:awards", summary="The published award list of a call")
async def api_awards(ctx: RequestContext, call_id: int) -> list[AwardOut]:
    ctx.require("grants", "view")
    awards = await award_list(ctx, await call_or_404(ctx, call_id))
    return [AwardOut(**vars(a)) for a in awards]


@get(
    "/grants/calls/{call_id:int}/awards.xlsx",
    name="grants:api:awards-xlsx",
    media_type=XLSX,
    summary="The published award list as an XLSX workbook",
)
async def api_awards_xlsx(ctx: RequestContext, call_id: int) -> Response[bytes]:
    ctx.require("grants", "view")
    call = await call_or_404(ctx, call_id)
    return download(await awards_xlsx(ctx, call), f"立项名单-{call.id}.xlsx", XLSX)


@get(
    "/grants/calls/{call_id:int}/awards.pdf",
    name="grants:api:awards-pdf",
    media_type="application/pdf",
    summary="The award notice (立项公示) as a printable PDF",
)
async def api_awards_pdf(ctx: RequestContext, call_id: int) -> Response[bytes]:
    ctx.require("grants", "view")
    call = await call_or_404(ctx, call_id)
    return download(await awards_pdf(ctx, call), f"立项公示-{call.id}.pdf", "application/pdf")


@get(
    "/grants/calls/{call_id:int}/scores.xlsx",
    name="grants:api:scores-xlsx",
    media_type=XLSX,
    summary="Every submitted review's scores and the ranking as an XLSX workbook (staff)",
)
async def api_scores_xlsx(ctx: RequestContext, call_id: int) -> Response[bytes]:
    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    return download(await scores_xlsx(ctx, call), f"grants-call-{call.id}-scores.xlsx", XLSX)


@get(
    "/grants/applications/{application_id:int}/ledger",
    name="grants:api:ledger",
    summary="The project account's statement: funders, every posting, opening and closing (staff, applicant)",
)
async def api_ledger(ctx: RequestContext, application_id: int) -> LedgerOut:
    app, _viewer = await funded_project(ctx, application_id)
    assert ctx.district is not None
    org = await organizations.get_organization(ctx.session, ctx.district, app.organization_id)
    project = await project_ledger(ctx, app)
    return LedgerOut(
        app.id,
        app.title,
        org.name,
        app.award_fen or 0,
        project.committed,
        project.opening,
        project.closing,
        [LedgerFunderOut(f.kind, f.name, f.committed_fen) for f in project.funders],
        [LedgerLineOut(date.fromisoformat(d), r, a, b) for d, r, a, b in project.rows()],
    )


@get(
    "/grants/applications/{application_id:int}/ledger.xlsx",
    name="grants:api:ledger-xlsx",
    media_type=XLSX,
    summary="The project account's statement as an XLSX workbook (staff, applicant)",
)
async def api_ledger_xlsx(ctx: RequestContext, application_id: int) -> Response[bytes]:
    app, _viewer = await funded_project(ctx, application_id)
    assert ctx.district is not None
    org = await organizations.get_organization(ctx.session, ctx.district, app.organization_id)
    body = ledger_xlsx(await project_ledger(ctx, app), org.name)
    return download(body, f"项目账户对账单-{app.id}.xlsx", XLSX)


EXPORT_API_ROUTES = [api_awards, api_awards_xlsx, api_awards_pdf, api_scores_xlsx, api_ledger, api_ledger_xlsx]
