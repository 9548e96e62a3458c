"""Evidence of the grade self-assessment (registered by one line at the end of ``routes.py``):

- ``/rating/grade-evaluations/{id}/evidence``    the files per indicator; the organization uploads (phone first)
- ``/rating/grade-evidence/{id}``                one file (inline), for whoever may see the evaluation
- ``/rating/grade-evidence/{id}/delete``         the organization deletes one while the self-assessment is open
"""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from core.plugin_api import (
    MissingFile,
    NotFound,
    RequestContext,
    act,
    flashes,
    inline_file,
    organizations,
    page,
    storage_for,
    suffix_for,
)
from core.plugin_api import gettext as _
from plugins.rating import grade_evidence, grading, service

__all__ = ("EVIDENCE_ROUTES",)

BASE = "/rating/grade-evaluations"
Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


async def _visible(ctx: RequestContext, evaluation_id: int) -> Any:
    ev = await grading.get_evaluation(ctx.session, evaluation_id)
    if not await grading.may_see(ctx, ev):
        raise NotFound(_("Not found."))
    return ev


@get(f"{BASE}/{{evaluation_id:int}}/evidence", name="rating:grade_evidence")
async def evidence_page(request: Request[Any, Any, Any], ctx: RequestContext, evaluation_id: int) -> Response[Any]:
    """Every indicator with its files; the organization's staff add and delete them while self-assessing."""
    assert ctx.district is not None
    ev = await _visible(ctx, evaluation_id)
    org = await organizations.get_organization(ctx.session, ctx.district, ev.organization_id)
    tree = await grading.indicators(ctx.session, ev.org_type, ev.tree_version)
    return await page(
        request,
        ctx,
        "rating/grade_evidence.html",
        ev=ev,
        organization=org.name,
        tree=tree,
        files=await grade_evidence.evidence_of(ctx.session, ev.id),
        may_upload=ev.status == "self_assessment" and await service.may_respond(ctx, ev.organization_id),
        accept=grade_evidence.ACCEPT,
        per_indicator=grade_evidence.FILES_PER_INDICATOR,
        section_label=lambda s: grading.section_label(s, ev.org_type),
        messages=await flashes(request, ctx),
    )


@post(f"{BASE}/{{evaluation_id:int}}/evidence", name="rating:grade_evidence_add", status_code=200)
async def evidence_add(
    request: Request[Any, Any, Any], ctx: RequestContext, evaluation_id: int, data: Upload
) -> Response[Any]:
    """Upload one photo or PDF for an indicator (the page comes back with the refusal's reason, if any)."""
    assert ctx.district is not None
    ev = await _visible(ctx, evaluation_id)
    upload = data.get("file")
    content = await upload.read(grade_evidence.FILE_MAX_BYTES + 1) if isinstance(upload, UploadFile) else b""
    filename = upload.filename if isinstance(upload, UploadFile) else ""
    storage = storage_for(ctx)
    prefix = f"rating/{ctx.district.code}/evidence"
    return await act(
        request,
        ctx,
        ctx.url(f"{BASE}/{ev.id}/evidence"),
        lambda: grade_evidence.add(
            ctx, ev, str(data.get("indicator") or ""), filename, content, lambda b: storage.save(b, prefix=prefix)
        ),
        _("The file was uploaded."),
    )


@get("/rating/grade-evidence/{evidence_id:int}", name="rating:grade_evidence_file")
async def evidence_file(ctx: RequestContext, evidence_id: int) -> Response[bytes]:
    """One evidence file, inline (a photo opens in the browser)."""
    row, _ev = await grade_evidence.get(ctx, evidence_id)
    try:
        content = await storage_for(ctx).read(row.storage_key)
    except (MissingFile, ValueError):
        raise NotFound(_("The file is missing.")) from None
    return inline_file(content, row.content_type, f"evidence-{row.id}{suffix_for(row.content_type)}")


@post("/rating/grade-evidence/{evidence_id:int}/delete", name="rating:grade_evidence_delete", status_code=200)
async def evidence_delete(request: Request[Any, Any, Any], ctx: RequestContext, evidence_id: int) -> Response[Any]:
    """The organization deletes a file while the self-assessment is open."""
    row, ev = await grade_evidence.get(ctx, evidence_id)
    back = ctx.url(f"{BASE}/{ev.id}/evidence")
    removed: list[str] = []

    async def delete() -> None:
        removed.append(await grade_evidence.remove(ctx, row, ev))

    response = await act(request, ctx, back, delete, _("The file was deleted."))
    if removed:  # the bytes too (a file already missing is no error)
        with contextlib.suppress(MissingFile, ValueError):
            await storage_for(ctx).delete(removed[0])
    return response


EVIDENCE_ROUTES = [evidence_page, evidence_add, evidence_file, evidence_delete]
