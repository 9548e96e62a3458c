"""What people do on the case page besides editing fields: steps, assignment, comments, files.

Every refusal is shown where the user acted (the actions panel, the comment box, the
upload form), with what they typed kept. htmx gets the fragment; a plain form post gets
the whole page (or a 303 back to it on success).
"""

from __future__ import annotations

import json
from contextlib import nullcontext
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect
from sqlalchemy import select

from core.cases.attachments import attach, check_file, open_attachment
from core.cases.errors import InvalidData, StaleCase, TransitionRefused
from core.cases.reads import set_via
from core.cases.service import assign, claim, comment, get_case, perform_transition
from core.cases.transitions import available_transitions, fields_to_fill
from core.context import RequestContext
from core.db.transactions import roll_back
from core.forms import form_input
from core.i18n import gettext
from core.models.cases import Attachment
from core.web.case_page import conflict_lines, lock_of, render_case, step_context
from core.web.forms import PAGE, input_values, read_posted
from core.web.pages import is_fragment
from core.web.uploads import BODY_LIMIT, FileStream, file_keys, refusal, stage_uploads

if TYPE_CHECKING:
    from core.cases.errors import CaseError
    from core.casetypes.definition import CaseTypeDef
    from core.models.cases import Case

__all__ = ("CASE_ACTION_ROUTES",)


def _url(ctx: RequestContext, case: Case, tail: str = "") -> str:
    return ctx.url(f"/cases/{case.reference}{tail}")


def _done(request: Request[Any, Any, Any], ctx: RequestContext, case: Case) -> Response[Any]:
    """After a step, assignment or claim: the whole case page again (its state, buttons, due all change)."""
    if is_fragment(request):
        location = json.dumps({"path": _url(ctx, case), "target": "#main"})
        return Response("", status_code=200, headers={"HX-Location": location})
    return Redirect(_url(ctx, case), status_code=303)


async def _actions_failed(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    case: Case,
    definition: CaseTypeDef,
    exc: CaseError,
    **extra: Any,
) -> Any:
    roll_back(request)  # nothing of a refused action is kept (htmx gets its answer with status 200)
    lines = conflict_lines(definition, exc.changes, ctx.locale) if isinstance(exc, StaleCase) else []
    status = 200 if is_fragment(request) else exc.status_code
    template = "core/cases/page_actions.html" if is_fragment(request) else None
    return await render_case(
        request,
        ctx,
        case,
        definition,
        template=template,
        status_code=status,
        action_error=exc.message,
        conflict_lines=lines,
        **extra,
    )


@get("/cases/{reference:str}/transitions/{key:str}", name="case_step_form", **PAGE)
async def step_form(request: Request[Any, Any, Any], ctx: RequestContext, reference: str, key: str) -> Any:
    """The actions panel with a step's form open."""
    case, definition = await get_case(ctx, reference)
    extra = await step_context(ctx, case, definition, key)
    if not extra:
        raise NotFoundException(gettext("This step is not possible from the case's current state."))
    template = "core/cases/page_actions.html" if is_fragment(request) else None
    return await render_case(request, ctx, case, definition, template=template, **extra)


@post("/cases/{reference:str}/transitions/{key:str}", name="case_step", request_max_body_size=BODY_LIMIT, **PAGE)
async def take_step(request: Request[Any, Any, Any], ctx: RequestContext, reference: str, key: str) -> Any:
    """Take a step; a guard's or a plugin's refusal is shown in the actions panel with its reason.

    Files sent for the step's ``file`` fields are kept as pending files first (committed,
    so the form keeps them whatever happens next); a refused file stops the step with its
    reason by the field. Taking the step claims the files and links them to the case with
    the change of state, in one savepoint: all of it, or none.
    """
    case, definition = await get_case(ctx, reference)
    posted, uploads = await read_posted(request)
    transition = definition.workflow.transition(key)
    raw = form_input(definition.form, posted)
    needed = fields_to_fill(definition, transition, case.data) if transition else ()
    supplied = {k: raw.get(k) for k in needed if definition.form.get(k)}
    reason = str(posted.get("reason") or "")
    files = file_keys(definition, supplied)
    refused: dict[str, str] = {}
    try:
        # Uploads are kept only for a step the user may take now.
        kept = uploads and files and any(t.key == key for t in available_transitions(ctx, case, definition))
        if kept and await stage_uploads(ctx, definition, files, uploads, supplied, refused):
            await ctx.session.commit()  # the files stay with the form, even when the answer rolls back
        if refused:
            raise InvalidData(gettext("Please correct the marked fields."), refused)
        async with ctx.session.begin_nested() if files else nullcontext():
            await perform_transition(
                ctx, case, definition, key, lock_version=lock_of(posted), reason=reason, data=supplied, source="form"
            )
    except (InvalidData, TransitionRefused, StaleCase) as exc:
        extra: dict[str, Any] = {}
        if transition is not None and (needed or transition.reason_required):
            errors = getattr(exc, "errors", None)
            values = {**input_values(definition.form, case.data), **_claimable(supplied, files, errors)}
            extra = await step_context(ctx, case, definition, key, values, errors)
            extra["reason"] = reason
        return await _actions_failed(request, ctx, case, definition, exc, **extra)
    return _done(request, ctx, case)


def _claimable(supplied: dict[str, Any], files: tuple[str, ...], errors: dict[str, str] | None) -> dict[str, Any]:
    """The step's input to show again, without pending files that could not be claimed (they must be sent again)."""
    again = gettext("Upload the file again.")
    gone = {k for k in files if (errors or {}).get(k) == again}
    return {
        k: [e for e in v if not (isinstance(e, dict) and "token" in e)] if k in gone and isinstance(v, list) else v
        for k, v in supplied.items()
    }


@post("/cases/{reference:str}/claim", name="case_claim", **PAGE)
async def take_case(request: Request[Any, Any, Any], ctx: RequestContext, reference: str) -> Any:
    """Take an unassigned case (someone quicker gets it: the panel says who)."""
    case, definition = await get_case(ctx, reference)
    try:
        await claim(ctx, case, definition)
    except TransitionRefused as exc:
        return await _actions_failed(request, ctx, case, definition, exc)
    return _done(request, ctx, case)


@post("/cases/{reference:str}/assign", name="case_assign", **PAGE)
async def assign_case(request: Request[Any, Any, Any], ctx: RequestContext, reference: str) -> Any:
    """Give the case to a member of the district (or to nobody)."""
    case, definition = await get_case(ctx, reference)
    posted, _ = await read_posted(request)
    raw = str(posted.get("assignee_id") or "")
    try:
        await assign(ctx, case, definition, int(raw) if raw.isdigit() else None, lock_version=lock_of(posted))
    except (InvalidData, StaleCase) as exc:
        return await _actions_failed(request, ctx, case, definition, exc)
    return _done(request, ctx, case)


@post("/cases/{reference:str}/comments", name="case_comment", **PAGE)
async def add_comment(request: Request[Any, Any, Any], ctx: RequestContext, reference: str) -> Any:
    """Comment (``@username`` mentions are recorded); the timeline refreshes and the box empties."""
    case, definition = await get_case(ctx, reference)
    posted, _ = await read_posted(request)
    text = str(posted.get("text") or "")
    try:
        await comment(ctx, case, definition, text)
    except InvalidData as exc:
        roll_back(request)
        status = 200 if is_fragment(request) else 400
        template = "core/cases/page_comment.html" if is_fragment(request) else None
        return await render_case(
            request,
            ctx,
            case,
            definition,
            template=template,
            status_code=status,
            comment_text=text,
            comment_error=exc.errors.get("text") or exc.message,
        )
    if not is_fragment(request):
        return Redirect(_url(ctx, case, "#case-timeline"), status_code=303)
    return await render_case(request, ctx, case, definition, template="core/cases/page_comment.html", refresh=True)


@post("/cases/{reference:str}/attachments", name="case_attach", **PAGE)
async def upload(request: Request[Any, Any, Any], ctx: RequestContext, reference: str) -> Any:
    """Attach files; too large, empty or forbidden files are refused with a clear message."""
    case, definition = await get_case(ctx, reference)
    _, posted_files = await read_posted(request)
    uploads = posted_files.get("file", [])
    error = ""
    try:
        if not uploads:
            raise InvalidData(gettext("Choose a file first."), {"file": gettext("Choose a file first.")})
        files = [(item.filename, await item.read()) for item in uploads]
        for name, data in files:  # every file checked before any is kept: all of them or none
            try:
                check_file(name, data)
            except InvalidData as exc:
                named = refusal(name, exc)
                raise InvalidData(named, {"file": named}) from exc
        for name, data in files:
            await attach(ctx, case, definition, name, data)
    except InvalidData as exc:
        error = exc.errors.get("file") or exc.message
        roll_back(request)
    htmx = is_fragment(request)
    if not error and not htmx:
        return Redirect(_url(ctx, case, "#case-attachments"), status_code=303)
    return await render_case(
        request,
        ctx,
        case,
        definition,
        template="core/cases/page_attachments.html" if htmx else None,
        status_code=400 if error and not htmx else 200,
        upload_error=error,
        refresh=not error,
    )


@get("/cases/{reference:str}/attachments/{attachment_id:int}", name="case_attachment", include_in_schema=False)
async def download(ctx: RequestContext, reference: str, attachment_id: int) -> FileStream:
    """A case's file, to people who may see the case (404 for everyone else)."""
    set_via(ctx, "file")
    case, _ = await get_case(ctx, reference)
    found = (
        await ctx.session.execute(
            select(Attachment).where(Attachment.id == attachment_id, Attachment.case_id == case.id)
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFoundException(gettext("Not found."))
    data = await open_attachment(ctx, found)
    if data is None:
        raise NotFoundException(gettext("This file is no longer stored."))
    return FileStream(
        data,
        media_type=found.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


CASE_ACTION_ROUTES = [step_form, take_step, take_case, assign_case, add_comment, upload, download]
