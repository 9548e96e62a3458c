"""Pages of the grants remainder (registered by one line in ``hooks.py``):

- documents attached to an application (the applicant uploads from a phone; staff and assigned reviewers
  open them inline on the application page);
- the call's own questions, from a builder case type the call chooses (answered on the application page,
  shown to staff and reviewers);
- the call's setup (which case type, how many reviewers from each pool) and the reviewer pools;
- a co-funder's money paid into the project on the ledger, and the project's statement as a PDF.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body

from core.plugin_api import (
    Form,
    FormState,
    MissingFile,
    NotFound,
    RequestContext,
    attempt,
    error_status,
    form_input,
    form_view_for,
    inline_file,
    input_values,
    page,
    redirect,
    storage_for,
)
from core.plugin_api import gettext as _
from plugins.grants import extra
from plugins.grants.access import call_or_404, viewer_of
from plugins.grants.models import Application, Call

__all__ = ("EXTRA_ROUTES", "application_parts", "read_uploads")

Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


async def read_uploads(data: dict[str, Any], limit: int) -> list[tuple[str, bytes]]:
    """The files of a multipart form's ``files`` field: (name, bytes read up to ``limit`` + 1)."""
    uploads = data.get("files")
    items = uploads if isinstance(uploads, list) else [uploads]
    return [(u.filename, await u.read(limit + 1)) for u in items if isinstance(u, UploadFile) and u.filename]


async def application_parts(
    ctx: RequestContext, app: Application, call: Call, viewer: str, answers_state: FormState | None = None
) -> dict[str, Any]:
    """What the application page shows of documents and the call's own questions."""
    parts: dict[str, Any] = {"documents": await extra.files_of(ctx, app.id), "size_text": extra.size_text}
    parts["co_paid"] = await extra.co_payments(ctx, app.id) if app.signed_at else {}
    definition = await extra.application_form(ctx, call)
    if definition is None:
        return parts
    editable = viewer == "applicant" and app.status in ("draft", "more_info")
    if editable:
        row = await extra.answers_of(ctx, app.id)
        values = answers_state.values if answers_state else input_values(definition.form, row.answers if row else {})
        errors = answers_state.errors if answers_state else {}
        parts["answers_view"] = await form_view_for(
            ctx, definition, values, errors, prefix="q", offered=extra.asked_fields(definition)
        )
        parts["answers_state"] = answers_state
    else:
        parts["answers"] = await extra.shown_answers(ctx, app, call)
    parts["questions_title"] = definition.name(ctx.locale)
    return parts


async def _back(request: Request[Any, Any, Any], ctx: RequestContext, app: Application, state: FormState, section: str):  # type: ignore[no-untyped-def]
    from plugins.grants.routes import application_page  # noqa: PLC0415

    _app, viewer = await viewer_of(ctx, app.id)
    await ctx.session.refresh(app)
    return await application_page(request, ctx, app, viewer, state, section=section)


@post(
    "/grants/applications/{application_id:int}/files",
    name="grants:app-files",
    request_max_body_size=extra.BODY_LIMIT,
    status_code=200,
)
async def upload_files(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, data: Upload
) -> Response[Any]:
    """The applicant attaches documents (PDF, photos, Word, Excel; 10 MB each, 10 in all)."""
    assert ctx.district is not None
    app, viewer = await viewer_of(ctx, application_id)
    if viewer != "applicant":
        raise NotFound(_("Not found."))
    files = await read_uploads(data, extra.FILE_MAX_BYTES)
    storage = storage_for(ctx)
    prefix = f"grants/{ctx.district.code}/applications"
    state = FormState(values={})
    await attempt(ctx, lambda: extra.add_files(ctx, app, files, lambda b: storage.save(b, prefix=prefix)), state)
    if not state.ok:
        return await _back(request, ctx, app, state, "files")
    return await redirect(request, ctx, ctx.url(f"/grants/applications/{app.id}"), _("Documents uploaded."))


@post(
    "/grants/applications/{application_id:int}/files/{file_id:int}/delete",
    name="grants:app-file-delete",
    status_code=200,
)
async def delete_file(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, file_id: int
) -> Response[Any]:
    """The applicant removes a document while the application is still theirs to change."""
    app, viewer = await viewer_of(ctx, application_id)
    if viewer != "applicant":
        raise NotFound(_("Not found."))
    state = FormState(values={})
    keys: list[str] = []

    async def remove() -> None:
        keys.append(await extra.remove_file(ctx, app, file_id))

    await attempt(ctx, remove, state)
    if not state.ok:
        return await _back(request, ctx, app, state, "files")
    await storage_for(ctx).delete(keys[0])  # the bytes too (a missing key is not an error)
    return await redirect(request, ctx, ctx.url(f"/grants/applications/{app.id}"), _("Document removed."))


@get("/grants/applications/{application_id:int}/files/{file_id:int}", name="grants:app-file")
async def open_file(ctx: RequestContext, application_id: int, file_id: int) -> Response[bytes]:
    """A document, inline: for the applicant, staff and the application's reviewers."""
    app, _viewer = await viewer_of(ctx, application_id)
    row = await extra.file_or_404(ctx, app, file_id)
    try:
        content = await storage_for(ctx).read(row.key)
    except (MissingFile, ValueError):
        raise NotFound(_("The file is missing.")) from None
    return inline_file(content, row.content_type, row.name)


@post("/grants/applications/{application_id:int}/answers", name="grants:answers", status_code=200)
async def save_answers(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, data: Form
) -> Response[Any]:
    """The applicant answers the call's own questions (a builder form)."""
    app, viewer = await viewer_of(ctx, application_id)
    if viewer != "applicant":
        raise NotFound(_("Not found."))
    call = await call_or_404(ctx, app.call_id)
    definition = await extra.application_form(ctx, call)
    raw = form_input(definition.form, data) if definition else {}
    state = FormState(values=raw)
    await attempt(ctx, lambda: extra.save_answers(ctx, app, call, raw), state)
    if not state.ok:
        return await _back(request, ctx, app, state, "answers")
    return await redirect(request, ctx, ctx.url(f"/grants/applications/{app.id}"), _("Answers saved."))


# --- the call's setup and the reviewer pools -------------------------------------------------------------


async def _setup_page(
    request: Request[Any, Any, Any], ctx: RequestContext, call: Call, state: FormState | None = None
) -> Response[Any]:
    from sqlalchemy import select  # noqa: PLC0415

    from core.plugin_api import CaseTypeVersion  # noqa: PLC0415

    row = await extra.call_form(ctx, call.id)
    if state is None:
        values = {"case_type": row.case_type_key if row else ""}
        values |= {f"quota_{p}": str((row.pool_quota if row else {}).get(p, "")) for p in extra.POOLS}
        state = FormState(values=values)
    published = (
        await ctx.session.execute(
            select(CaseTypeVersion.key, CaseTypeVersion.name_zh, CaseTypeVersion.name_en)
            .where(CaseTypeVersion.status == "published")
            .distinct()
            .order_by(CaseTypeVersion.key)
        )
    ).all()
    members = await extra.pool_members(ctx)
    return await page(
        request,
        ctx,
        "grants/setup.html",
        status_code=error_status(request, state) if state.errors else 200,
        call=call,
        form=state,
        case_types=[(k, zh if ctx.locale.startswith("zh") or not en else en) for k, zh, en in published],
        pools=[(p, extra.pool_label(p), sum(1 for m, _u in members if m.pool == p)) for p in extra.POOLS],
    )


@get("/grants/calls/{call_id:int}/setup", name="grants:setup")
async def setup(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int) -> Response[Any]:
    """The call's application questions (a builder case type) and reviewers per pool (staff)."""
    ctx.require("grants", "manage")
    return await _setup_page(request, ctx, await call_or_404(ctx, call_id))


@post("/grants/calls/{call_id:int}/setup", name="grants:setup-save", status_code=200)
async def setup_save(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int, data: Form) -> Response[Any]:
    """Save the call's setup; ``action=assign`` then assigns reviewers by pool."""
    ctx.require("grants", "manage")
    call = await call_or_404(ctx, call_id)
    state = FormState(values=dict(data))
    quota = {p: data.get(f"quota_{p}", "") for p in extra.POOLS}
    made: list[int] = []

    async def save() -> None:
        await extra.set_call_form(ctx, call, str(data.get("case_type", "")), quota)
        if data.get("action") == "assign":
            made.append(await extra.auto_assign_by_pool(ctx, call))

    await attempt(ctx, save, state)
    if not state.ok:
        return await _setup_page(request, ctx, call, state)
    done = _("Setup saved.")
    if made:
        done = _("%(n)s reviewers assigned from the pools.", n=made[0])
    return await redirect(request, ctx, ctx.url(f"/grants/calls/{call.id}/setup"), done)


async def _pools_page(
    request: Request[Any, Any, Any], ctx: RequestContext, state: FormState | None = None
) -> Response[Any]:
    from plugins.grants.reviews import reviewers  # noqa: PLC0415

    state = state or FormState(values={})
    return await page(
        request,
        ctx,
        "grants/pools.html",
        status_code=error_status(request, state) if state.errors else 200,
        form=state,
        members=[(m, u, extra.pool_label(m.pool)) for m, u in await extra.pool_members(ctx)],
        reviewer_options=[(u.id, u.display_name or u.username) for u in await reviewers(ctx)],
        pool_options=[(p, extra.pool_label(p)) for p in extra.POOLS],
    )


@get("/grants/pools", name="grants:pools")
async def pools(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The district's reviewer pools: experts, finance, community representatives (staff)."""
    ctx.require("grants", "manage")
    return await _pools_page(request, ctx)


@post("/grants/pools", name="grants:pools-save", status_code=200)
async def pools_save(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Put a reviewer in a pool (``action=add``, categories one per line) or take them out (``remove``)."""
    ctx.require("grants", "manage")
    state = FormState(values=dict(data))
    try:
        user_id = int(str(data.get("user_id", "")))
    except ValueError:
        user_id = 0
    categories = str(data.get("categories", "")).replace("，", "\n").replace(",", "\n").splitlines()
    member = data.get("action", "add") != "remove"
    await attempt(
        ctx, lambda: extra.set_pool(ctx, user_id, str(data.get("pool", "")), categories, member=member), state
    )
    if not state.ok:
        return await _pools_page(request, ctx, state)
    return await redirect(
        request, ctx, ctx.url("/grants/pools"), _("Added to the pool.") if member else _("Removed from the pool.")
    )


# --- co-funder money; the statement as PDF --------------------------------------------------------------


@post(
    "/grants/applications/{application_id:int}/funders/{funder_id:int}/pay",
    name="grants:co-funder-pay",
    status_code=200,
)
async def co_funder_pay(
    request: Request[Any, Any, Any], ctx: RequestContext, application_id: int, funder_id: int
) -> Response[Any]:
    """Staff record a co-funder's committed money arriving in the project's account (on the ledger)."""
    ctx.require("grants", "manage")
    app, _viewer = await viewer_of(ctx, application_id)
    state = FormState(values={})
    await attempt(ctx, lambda: extra.pay_co_funder(ctx, app, funder_id), state)
    if not state.ok:
        return await _back(request, ctx, app, state, "cofund")
    return await redirect(
        request, ctx, ctx.url(f"/grants/applications/{app.id}"), _("The co-funder's money is in the project account.")
    )


@get("/grants/applications/{application_id:int}/ledger.pdf", name="grants:ledger-pdf")
async def ledger_pdf_file(ctx: RequestContext, application_id: int) -> Response[bytes]:
    """The project account's statement as a printable PDF."""
    from core.plugin_api import organizations  # noqa: PLC0415
    from plugins.grants.exports_awards import project_ledger  # noqa: PLC0415
    from plugins.grants.exports_ledger import ledger_pdf  # noqa: PLC0415
    from plugins.grants.routes_exports import download, funded_project  # noqa: PLC0415

    app, _viewer = await funded_project(ctx, application_id)
    assert ctx.district is not None
    org = await organizations.get_organization(ctx.session, ctx.district, app.organization_id)
    body = ledger_pdf(await project_ledger(ctx, app), org.name, ctx.district.name_zh)
    return download(body, f"项目账户对账单-{app.id}.pdf", "application/pdf")


EXTRA_ROUTES = [
    upload_files,
    delete_file,
    open_file,
    save_answers,
    setup,
    setup_save,
    pools,
    pools_save,
    co_funder_pay,
    ledger_pdf_file,
]
