"""JSON API: the read log of protected cases and casework per service line (the pages' figures)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import get
from litestar.params import Parameter

from core.cases.reads import LOG_PAGE, may_read_log, read_log
from core.cases.service import case_types
from core.casework.report import report_for
from core.context import RequestContext
from core.i18n import gettext as _
from core.refusal import Forbidden, Refusal

__all__ = ("CASEWORK_API",)


class ReadOut(msgspec.Struct):
    """One read of a protected case."""

    id: int
    at: datetime
    via: str  # page, fragment, api, file, export, service
    reference: str
    case_type: str
    reader: str
    reader_id: int | None


class ReadList(msgspec.Struct):
    """A page of the read log, newest first; ``next_before`` asks for the page after it."""

    items: list[ReadOut]
    next_before: int | None


@get("/case-reads", summary="Who read which protected case, when and how (district admins; supervisors: their cases)")
async def case_reads_api(
    ctx: RequestContext,
    reference: Annotated[str | None, Parameter(description="one case's reference", max_length=40)] = None,
    user_id: Annotated[int | None, Parameter(description="one reader", ge=1, le=2**62)] = None,
    before: Annotated[int | None, Parameter(description="next_before of the previous page", ge=1, le=2**62)] = None,
    limit: Annotated[int, Parameter(ge=1, le=LOG_PAGE)] = LOG_PAGE,
) -> ReadList:
    definitions = [d for _row, d in (await case_types(ctx)).values()]
    if not may_read_log(ctx, definitions):
        raise Forbidden(_("You do not have permission to do this."))
    rows = await read_log(ctx, definitions, reference=reference or "", user_id=user_id, before=before, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return ReadList(
        items=[ReadOut(r.id, r.at, r.via, r.reference, r.case_type_key, r.reader, r.reader_id) for r in rows],
        next_before=rows[-1].id if more and rows else None,
    )


@get("/casework/report", summary="Casework per service line for a period (casework:report; figures only)")
async def casework_report_api(
    ctx: RequestContext,
    start: Annotated[str | None, Parameter(description="first day, 2026-01-01 (default: 1 January)")] = None,
    end: Annotated[str | None, Parameter(description="last day (default: today)")] = None,
) -> dict[str, Any]:
    report, errors = await report_for(ctx, start or "", end or "")
    if errors:
        raise Refusal(_("Please correct the marked fields."), errors=errors)
    assert report is not None
    return report.to_dict()


CASEWORK_API = [case_reads_api, casework_report_api]
