"""The queue page staff work from all day: queues with counts, a filtered table, row and bulk actions.

One handler renders the full page, or for htmx only the block its target needs
(``#queue-main``: filters and table, ``#queue-table``: the table, ``#queue-more``: the
next page of rows). Every filter state is in the URL. Counts come by their own request.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request, get, post
from litestar.datastructures import MultiDict
from litestar.exceptions import HTTPException, NotFoundException, PermissionDeniedException
from litestar.response import Redirect, Stream
from sqlalchemy import select

from core.auth.sessions import COOKIE_NAME, pop_flash
from core.cases import service
from core.cases.errors import InvalidData
from core.cases.exports import csv_chunks, plan_export, xlsx_chunks
from core.cases.labels import state_label
from core.cases.permissions import may_edit
from core.cases.queues import SORTS, Filters, list_cases, selected_ids
from core.cases.reads import record_export
from core.cases.saved_queues import (
    check_spec,
    create_queue,
    filters_to_params,
    find_queue,
    known_choices,
    queue_filters,
)
from core.context import RequestContext
from core.db import for_district, session_factory
from core.i18n import TIMEZONE
from core.i18n import gettext as _
from core.models import User
from core.models.cases import Case, SavedQueue
from core.refusal import NotFound, Refusal
from core.web.admin.common import done, int_or_none, is_fragment
from core.web.my_requests import queue_for_served
from core.web.pages import page
from core.web.queue_view import (
    all_definitions,
    build_rows,
    choices,
    columns_from,
    count_entries,
    queue_query,
    sidebar,
    sort_links,
    viewable,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from core.casetypes.definition import CaseTypeDef

__all__ = ("QUEUE_ROUTES",)

PAGE = "core/queues/index.html"
BULK = "core/queues/bulk.html"
BLOCKS = {"queue-main": "main", "queue-table": "table", "queue-more": "rows"}
BULK_LIMIT = 200


def _current_query(request: Request[Any, Any, Any]) -> MultiDict[str]:
    """The query of the page the htmx request came from (``HX-Current-URL``), else of this request."""
    current = request.headers.get("hx-current-url")
    if current:
        return MultiDict(parse_qsl(urlsplit(current).query))
    return MultiDict(list(request.query_params.multi_items()))


async def resolve(
    ctx: RequestContext, query: Mapping[str, Any], *, strict: bool = True
) -> tuple[Filters, tuple[str, ...], SavedQueue | None]:
    """The filters and columns a URL asks for: ``queue=<key>`` applies a saved queue (404 when the
    user may not see it; only ``sort`` may change it), anything else is read as filters."""
    key = str(query.get("queue") or "")
    saved = await find_queue(ctx, key) if key else None
    if saved is None:
        if key and strict:
            raise NotFoundException(_("Not found."))
        return Filters.from_query(query), columns_from(query), None
    filters = queue_filters(saved)
    sort = str(query.get("sort") or "")
    if sort in SORTS:
        filters = filters.with_(sort=sort)
    return filters, columns_from({"col": saved.columns}), saved


def export_scope(
    ctx: RequestContext, definitions: list[CaseTypeDef], filters: Filters
) -> tuple[bool, list[CaseTypeDef]]:
    """Whether the user may export everything this view shows, and the shown types they may export.

    An export holds exactly the rows of the queue, so it is offered only when the user may
    export every type the view can show; otherwise each exportable type is offered alone.
    """
    shown = [d for d in viewable(ctx, definitions) if not filters.types or d.key in filters.types]
    exportable = [d for d in shown if ctx.is_platform_admin or ctx.can(d.resource, "export")]
    return bool(shown) and len(exportable) == len(shown), exportable


@get("/cases", name="case_queue", include_in_schema=False)
async def queue_page(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate:
    """The queue: sidebar, filters and the first page of the table (or the block htmx asks for)."""
    assert ctx.user is not None
    if (elsewhere := await queue_for_served(ctx)) is not None:
        return elsewhere  # type: ignore[return-value]
    filters, columns, saved = await resolve(ctx, request.query_params)
    definitions = await all_definitions(ctx)
    result = await list_cases(ctx, filters, definitions, cursor=request.query_params.get("cursor") or None)
    restore = request.headers.get("hx-history-restore-request") == "true"
    block = None if restore else BLOCKS.get(request.headers.get("hx-target", ""), "content")
    context: dict[str, Any] = {
        "filters": filters,
        "columns": columns,
        "saved": saved,
        "own_queue": saved is not None and saved.owner_id == ctx.user.id,
        "rows": await build_rows(ctx, result.cases),
        "query": queue_query(filters, columns, saved),
        "filter_query": queue_query(filters, columns),
        "next_query": queue_query(filters, columns, saved, cursor=result.next_cursor) if result.next_cursor else "",
        "sorts": sort_links(filters, columns, saved),
    }
    context["can_export"], context["export_types"] = export_scope(ctx, definitions, filters)
    if block in {None, "content", "main"}:
        context.update(await choices(ctx, filters))
    if block in {None, "content"}:
        context["queues"] = await sidebar(ctx, filters, saved.key if saved else "")
        context["flashes"] = await pop_flash(ctx.session, request.cookies.get(COOKIE_NAME))
    response = await page(request, ctx, PAGE, block=block, **context)
    response.headers["Vary"] = "HX-Request, HX-Target"
    if block in {"main", "table"} and request.headers.get("hx-trigger") != "queue-table":
        # The address bar shows the short, canonical link of this filter state (defaults left out).
        response.headers["HX-Push-Url"] = ctx.url("/cases") + (f"?{context['query']}" if context["query"] else "")
    return response


def _queue_page(ctx: RequestContext) -> Redirect:
    """Where a fragment-only address sends a browser that opens it as a page: the queue."""
    return Redirect(ctx.url("/cases"), status_code=303)


@get("/queues/counts", include_in_schema=False)
async def queue_counts(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate | Redirect:
    """The sidebar with every queue counted (loaded after the page, refreshed every minute)."""
    if not is_fragment(request):
        return _queue_page(ctx)
    current = _current_query(request)
    entries = await sidebar(ctx, Filters.from_query(current), str(current.get("queue") or ""))
    await count_entries(ctx, entries)
    return HTMXBlockTemplate(
        template_name=PAGE,
        block_name="sidebar",
        context={"ctx": ctx, "request": request, "queues": entries, "counted": True},
    )


async def apply_action(ctx: RequestContext, reference: str, action: str, assignee: str = "") -> str | None:
    """Claim, assign or transition one case in its own savepoint; the refusal's text, or ``None`` when done."""
    try:
        async with ctx.session.begin_nested():
            case, definition = await service.get_case(ctx, reference)
            if action == "claim":
                await service.claim(ctx, case, definition)
            elif action == "assign":
                await service.assign(ctx, case, definition, int_or_none(assignee))
            elif action.startswith("transition:"):
                step = definition.workflow.transition(action.split(":", 1)[1])
                if step is not None and step.automatic:
                    return _("This step is taken automatically; it cannot be chosen here.")
                await service.perform_transition(ctx, case, definition, action.split(":", 1)[1])
            else:
                return _("Choose an action.")
    except Refusal as exc:  # the case engine's refusals, a 403 or 404 included
        return exc.text()
    except HTTPException as exc:
        return str(exc.detail)
    return None


async def outcome(ctx: RequestContext, case: Case, definition: CaseTypeDef, action: str) -> str:
    """What an action did, in words: "已认领，办理人：陈静", "已分配给 李娜", "受理：现为「办理中」"."""
    name = ""
    if case.assignee_id is not None:
        name = str(await ctx.session.scalar(select(User.label).where(User.id == case.assignee_id)) or "")
    if action == "claim":
        return _("Claimed; now handled by %(name)s.", name=name)
    if action == "assign":
        return _("Assigned to %(name)s.", name=name) if name else _("Now assigned to nobody.")
    if action.startswith("transition:"):
        step = definition.workflow.transition(action.split(":", 1)[1])
        state = state_label(definition, case.state, ctx.locale)
        return _("%(step)s: now %(state)s.", step=step.label(ctx.locale) if step else action, state=state)
    return _("Done.")


async def _form(request: Request[Any, Any, Any]) -> Any:
    return await request.form()


@get("/queues/menu", include_in_schema=False)
async def row_menu(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate | Redirect:
    """A row's menu: assign, the steps that need nothing more, and links to the case page for the others."""
    if not is_fragment(request):
        return _queue_page(ctx)
    reference = str(request.query_params.get("ref", ""))
    if not reference:
        return HTMXBlockTemplate(template_name="core/queues/menu.html", context={"ctx": ctx, "case": None})
    case, definition = await service.get_case(ctx, reference)
    transitions = service.available_transitions(ctx, case, definition) if case.is_open else []
    context = {
        "ctx": ctx,
        "request": request,
        "case": case,
        "direct": [t for t in transitions if not t.required and not t.reason_required and not t.automatic],
        "linked": [t for t in transitions if (t.required or t.reason_required) and not t.automatic],
        "can_edit": may_edit(ctx, case, definition),
        "members": (await choices(ctx, Filters()))["members"],
    }
    return HTMXBlockTemplate(template_name="core/queues/menu.html", context=context)


@post("/queues/act", include_in_schema=False)
async def row_action(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """One row's action; htmx gets the row back with the outcome, a plain form a redirect with a notice."""
    data = await _form(request)
    reference = str(data.get("ref", ""))
    action = str(data.get("action", ""))
    refusal = await apply_action(ctx, reference, action, str(data.get("assignee", "")))
    try:
        case, definition = await service.get_case(ctx, reference)
    except NotFound:
        case = None
    message = refusal or (await outcome(ctx, case, definition, action) if case is not None else _("Done."))
    if not is_fragment(request):
        return await done(request, ctx, ctx.url("/cases"), f"{reference}: {message}")
    rows = await build_rows(ctx, [case]) if case is not None else []
    context = {
        "ctx": ctx,
        "request": request,
        "rows": rows,
        "columns": (await resolve(ctx, _current_query(request), strict=False))[1],
        "message": message,
        "ok": refusal is None,
        "reference": reference,
    }
    return HTMXBlockTemplate(template_name="core/queues/row.html", context=context)


def _bulk_refs(data: Any) -> list[str]:
    return list(dict.fromkeys(str(r) for r in data.getall("ref", []) if r))[:BULK_LIMIT]


async def bulk_steps_for(ctx: RequestContext, references: list[str]) -> tuple[bool, list[tuple[str, str]]]:
    """What the bulk bar offers for these cases: assigning (when the user may assign every one) and the
    steps every one of them can take now, for this user — never a step that needs a form, a reason, or
    that the system takes itself. No selection: the steps of the types shown, as before.
    """
    if not references:
        return True, []
    can_assign = True
    common: dict[str, str] | None = None
    for reference in references:
        try:
            case, definition = await service.get_case(ctx, reference)
        except Refusal:
            return False, []
        can_assign = can_assign and may_edit(ctx, case, definition)
        steps = service.available_transitions(ctx, case, definition) if case.is_open else []
        offered = {
            t.key: t.label(ctx.locale) for t in steps if not t.required and not t.reason_required and not t.automatic
        }
        common = offered if common is None else {k: v for k, v in common.items() if k in offered}
    return can_assign, list((common or {}).items())


@get("/queues/bulk-steps", include_in_schema=False)
async def bulk_steps(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate | Redirect:
    """The bulk bar's choice of action for the ticked rows (htmx asks again whenever the selection changes)."""
    if not is_fragment(request):
        return _queue_page(ctx)
    references = list(dict.fromkeys(str(r) for r in request.query_params.getall("ref", []) if r))[:BULK_LIMIT]
    context: dict[str, Any] = {"ctx": ctx, "request": request, "selected": len(references)}
    if references:
        context["bulk_can_assign"], context["bulk_transitions"] = await bulk_steps_for(ctx, references)
    else:
        context["bulk_can_assign"], context["bulk_transitions"] = (
            True,
            (await choices(ctx, Filters()))["bulk_transitions"],
        )
    return HTMXBlockTemplate(template_name=PAGE, block_name="bulk_steps", context=context)


class _Undo(Exception):
    """Raised inside the bulk savepoint to undo every row when one of them was refused."""


@post("/queues/bulk", include_in_schema=False)
async def bulk_action(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate:
    """Assign or transition the selected cases — all of them or none: one refusal undoes every row."""
    data = await _form(request)
    references = _bulk_refs(data)
    action = str(data.get("action", ""))
    results: list[tuple[str, str | None]] = []
    try:
        async with ctx.session.begin_nested():
            for ref in references:
                results.append((ref, await apply_action(ctx, ref, action, str(data.get("assignee", "")))))
            if any(refusal is not None for _ref, refusal in results):
                raise _Undo
    except _Undo:
        pass
    refused = [(ref, refusal) for ref, refusal in results if refusal is not None]
    response = await page(
        request,
        ctx,
        BULK,
        block="results",
        status_code=400 if (refused or not references) and not is_fragment(request) else 200,
        results=refused or results,
        refused=bool(refused),
        done_count=0 if refused else len(results),
        total=len(results),
        nothing=not references,
    )
    if not refused and references:
        response.headers["HX-Trigger"] = "queue-refresh"
    return response


@post("/queues/saved", include_in_schema=False)
async def save_queue(request: Request[Any, Any, Any], ctx: RequestContext) -> Redirect:
    """Save the current filters, columns and sort as the user's own queue, or (district admins) a shared one."""
    assert ctx.user is not None
    data = await _form(request)
    query = MultiDict(parse_qsl(str(data.get("query", "")).lstrip("?")))
    filters = Filters.from_query(query)
    columns = columns_from(query)
    back = ctx.url("/cases") + (f"?{queue_query(filters, columns)}" if filters.to_query() else "")
    shared = data.get("shared") in {"1", "on", "true"}
    if shared and not ctx.can("district", "admin"):
        raise PermissionDeniedException(_("You do not have permission to do this."))
    name = str(data.get("name", "")).strip()
    raw = {
        "label_zh": name,
        "label_en": name,
        "filters": filters_to_params(filters),
        "columns": list(columns),
        "sort": filters.sort,
    }
    try:
        async with ctx.session.begin_nested():
            queue = await create_queue(ctx, check_spec(raw, await known_choices(ctx), shared=shared), shared=shared)
    except InvalidData as exc:
        return await done(request, ctx, back, " ".join(exc.errors.values()) or exc.message)
    return await done(request, ctx, ctx.url(f"/cases?queue={queue.key}"), _("The queue %(name)s was saved.", name=name))


async def _own_queue(ctx: RequestContext, data: Any) -> SavedQueue:
    """The saved queue the form names, if the user may change it (404 for another user's)."""
    assert ctx.user is not None
    queue = await ctx.session.get(SavedQueue, int_or_none(data.get("id")) or 0)
    if queue is None or queue.district_id != (ctx.district.id if ctx.district else None):
        raise NotFoundException(_("Not found."))
    if queue.owner_id is None and not ctx.can("district", "admin"):
        raise PermissionDeniedException(_("You do not have permission to do this."))
    if queue.owner_id is not None and queue.owner_id != ctx.user.id:
        raise NotFoundException(_("Not found."))
    return queue


@post("/queues/saved/rename", include_in_schema=False)
async def rename_queue(request: Request[Any, Any, Any], ctx: RequestContext) -> Redirect:
    """Rename one of the user's own queues."""
    data = await _form(request)
    queue = await _own_queue(ctx, data)
    name = str(data.get("name", "")).strip()
    back = ctx.url(f"/cases?queue={queue.key}")
    if not name or len(name) > 100:
        return await done(request, ctx, back, _("Give the queue a name (at most 100 characters)."))
    queue.label_zh = queue.label_en = name
    return await done(request, ctx, back, _("The queue %(name)s was saved.", name=name))


@post("/queues/saved/delete", include_in_schema=False)
async def delete_queue(request: Request[Any, Any, Any], ctx: RequestContext) -> Redirect:
    """Remove one of the user's own queues (district admins: a shared one)."""
    data = await _form(request)
    queue = await _own_queue(ctx, data)
    await ctx.session.delete(queue)
    return await done(request, ctx, ctx.url("/cases"), _("The queue was removed."))


async def _export(request: Request[Any, Any, Any], ctx: RequestContext, kind: str) -> Stream:
    """Stream what the filters select, of the types the user may export, in a session of its own."""
    assert ctx.district is not None
    filters, columns, _saved = await resolve(ctx, request.query_params)
    everything, allowed = export_scope(ctx, await all_definitions(ctx), filters)
    if not everything:
        # Answered as an error page: the link is not a `download` link, so the browser shows it.
        raise PermissionDeniedException(
            _("You may not export every case this queue shows; choose a case type you may export.")
        )
    plan, names = await plan_export(ctx, list(columns), allowed, filters)
    # The read log of sensitive cases: written (and committed) before the file's first byte.
    await record_export(ctx, await selected_ids(ctx, filters, allowed), allowed)
    engine = request.app.state.db_config.get_engine()
    district_id = ctx.district.id
    writer = csv_chunks if kind == "csv" else xlsx_chunks

    async def body() -> Any:
        # The request's session is closed once the response starts; the rows are read in a new one.
        async with session_factory(engine)() as session:
            ctx.session = for_district(session, district_id)
            async for chunk in writer(ctx, plan, names, filters, allowed):
                yield chunk

    name = f"cases-{ctx.district.code}-{datetime.now(TIMEZONE).date().isoformat()}.{kind}"
    media = (
        "text/csv"  # Litestar adds the charset
        if kind == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return Stream(body(), media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@get("/queues/export.csv", include_in_schema=False)
async def export_csv(request: Request[Any, Any, Any], ctx: RequestContext) -> Stream:
    """CSV (UTF-8 with BOM) of the filtered cases the user may export."""
    return await _export(request, ctx, "csv")


@get("/queues/export.xlsx", include_in_schema=False)
async def export_xlsx(request: Request[Any, Any, Any], ctx: RequestContext) -> Stream:
    """XLSX of the filtered cases the user may export."""
    return await _export(request, ctx, "xlsx")


QUEUE_ROUTES = [
    queue_page,
    queue_counts,
    row_menu,
    row_action,
    bulk_steps,
    bulk_action,
    save_queue,
    rename_queue,
    delete_queue,
    export_csv,
    export_xlsx,
]
