"""Pages: the read log of protected cases (``/case-reads``) and casework per service line (``/casework/report``)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from core.cases.reads import LOG_PAGE, may_read_log, read_log
from core.cases.service import case_types
from core.casework.report import report_for, xlsx_bytes
from core.context import RequestContext
from core.i18n import gettext as _
from core.refusal import Forbidden
from core.web.forms import PAGE
from core.web.pages import page

__all__ = ("CASEWORK_ROUTES",)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _definitions(ctx: RequestContext) -> list[Any]:
    return [d for _row, d in (await case_types(ctx)).values()]


def _int(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if raw.isdigit() and len(raw) < 18 else None


@get("/case-reads", name="case_reads", **PAGE)
async def case_reads_page(
    request: Request[Any, Any, Any], ctx: RequestContext, reference: str = "", user: str = "", before: str = ""
) -> Any:
    """Who read which protected case, when and how: district admins (every case), supervisors (their cases)."""
    definitions = await _definitions(ctx)
    if not may_read_log(ctx, definitions):
        raise Forbidden(_("You do not have permission to do this."))
    reference = reference.strip()[:40]
    rows = await read_log(
        ctx, definitions, reference=reference, user_id=_int(user), before=_int(before), limit=LOG_PAGE + 1
    )
    more = len(rows) > LOG_PAGE
    rows = rows[:LOG_PAGE]
    return await page(
        request,
        ctx,
        "core/casework/reads.html",
        rows=rows,
        reference=reference,
        user=user if _int(user) is not None else "",
        next_before=rows[-1].id if more and rows else None,
        via_label=via_label,
    )


def via_label(via: str) -> str:
    """How a case was read, in words."""
    labels = {
        "page": _("Case page"),
        "fragment": _("Part of the case page"),
        "api": _("JSON API"),
        "file": _("File download"),
        "export": _("Export"),
        "service": _("Command line or job"),
    }
    return labels.get(via, via)


@get("/casework/report", name="casework_report", **PAGE)
async def report_page(request: Request[Any, Any, Any], ctx: RequestContext, start: str = "", end: str = "") -> Any:
    """Casework per service line: cases, service records and hours, referrals, for a period."""
    report, errors = await report_for(ctx, start, end)
    return await page(
        request,
        ctx,
        "core/casework/report.html",
        report=report,
        errors=errors,
        start=start[:20],
        end=end[:20],
        status_code=400 if errors else 200,
    )


@get("/casework/report.xlsx", name="casework_report_xlsx", include_in_schema=False)
async def report_xlsx(request: Request[Any, Any, Any], ctx: RequestContext, start: str = "", end: str = "") -> Any:
    """The same figures as an XLSX book (a period that cannot be read gets the page with its errors)."""
    report, errors = await report_for(ctx, start, end)
    if errors:
        return await page(
            request,
            ctx,
            "core/casework/report.html",
            report=None,
            errors=errors,
            start=start[:20],
            end=end[:20],
            status_code=400,
        )
    assert report is not None
    name = f"casework-{report.start.isoformat()}-{report.end.isoformat()}.xlsx"
    return Response(
        xlsx_bytes(report), media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


CASEWORK_ROUTES = [case_reads_page, report_page, report_xlsx]
