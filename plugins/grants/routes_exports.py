"""Pages and files of the exports (registered by one line at the end of ``routes.py``):

- ``/grants/calls/{id}/awards.xlsx`` and ``awards.pdf``: the award list and the printable notice (立项公示),
  for everyone who sees the call once the results are published;
- ``/grants/applications/{id}/ledger``: the project's ledger statement (staff and the applicant organization),
  and ``ledger.xlsx`` the same as a workbook.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response, get

from core.plugin_api import NotFound, RequestContext, organizations, page
from plugins.grants.access import call_or_404, viewer_of
from plugins.grants.exports_awards import XLSX, awards_pdf, awards_xlsx, ledger_xlsx, project_ledger
from plugins.grants.models import Application

__all__ = ("EXPORT_ROUTES", "download", "funded_project")


def download(body: bytes, name: str, media_type: str) -> Response[bytes]:
    """A file to save: ``name`` may be Chinese (RFC 5987)."""
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
    )


async def funded_project(ctx: RequestContext, application_id: int) -> tuple[Application, str]:
    """The funded project and the viewer (staff or the applicant organization; 404 for anyone else)."""
    app, viewer = await viewer_of(ctx, application_id)
    if viewer not in ("manager", "applicant") or app.decision != "approved":
        raise NotFound("未找到。", "Not found.")
    return app, viewer


@get("/grants/calls/{call_id:int}/awards.xlsx", name="grants:awards-xlsx")
async def awards_xlsx_file(ctx: RequestContext, call_id: int) -> Response[bytes]:
    """The published award list as an XLSX workbook."""
    ctx.require("grants", "view")
    call = await call_or_404(ctx, call_id)
    return download(await awards_xlsx(ctx, call), f"立项名单-{call.id}.xlsx", XLSX)


@get("/grants/calls/{call_id:int}/awards.pdf", name="grants:awards-pdf")
async def awards_pdf_file(ctx: RequestContext, call_id: int) -> Response[bytes]:
    """The award notice (立项公示) as a printable PDF."""
    ctx.require("grants", "view")
    call = await call_or_404(ctx, call_id)
    return download(await awards_pdf(ctx, call), f"立项公示-{call.id}.pdf", "application/pdf")


@get("/grants/applications/{application_id:int}/ledger", name="grants:ledger")
async def ledger_page(request: Request[Any, Any, Any], ctx: RequestContext, application_id: int) -> Response[Any]:
    """The project account's statement: funders and their commitments, every posting, opening and closing."""
    app, _viewer = await funded_project(ctx, application_id)
    assert ctx.district is not None
    org = await organizations.get_organization(ctx.session, ctx.district, app.organization_id)
    return await page(
        request, ctx, "grants/ledger.html", app=app, organization=org.name, project=await project_ledger(ctx, app)
    )


@get("/grants/applications/{application_id:int}/ledger.xlsx", name="grants:ledger-xlsx")
async def ledger_xlsx_file(ctx: RequestContext, application_id: int) -> Response[bytes]:
    """The project account's statement as an XLSX workbook."""
    app, _viewer = await funded_project(ctx, application_id)
    assert ctx.district is not None
    org = await organizations.get_organization(ctx.session, ctx.district, app.organization_id)
    body = ledger_xlsx(await project_ledger(ctx, app), org.name)
    return download(body, f"项目账户对账单-{app.id}.xlsx", XLSX)


EXPORT_ROUTES = [awards_xlsx_file, awards_pdf_file, ledger_page, ledger_xlsx_file]
