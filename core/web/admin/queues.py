"""District admin: the queue builder (shared queues: filters, columns, sort, who sees them).

Every definition goes through :func:`core.cases.saved_queues.check_spec`, the same check
the queue page and the API use; a refused one is shown again with a message per field
and nothing is changed. The editor shows, by htmx, how many cases the queue selects and
its first rows, as the admin sees them.
"""

from __future__ import annotations

from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request, get, post
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.response import Redirect

from core.cases.errors import InvalidData
from core.cases.exports import BASE_COLUMNS, column_label
from core.cases.queues import Filters, count_cases, list_cases
from core.cases.saved_queues import (
    DEFAULT_COLUMNS,
    FILTER_NAMES,
    QueueSpec,
    check_spec,
    create_queue,
    delete_queue,
    known_choices,
    move_queue,
    shared_queues,
    update_queue,
)
from core.context import RequestContext
from core.i18n import gettext as _
from core.models.cases import SavedQueue
from core.services.roles import list_roles
from core.web.admin.common import FormState, done, error_status, form_of, render
from core.web.queue_view import all_definitions, build_rows, choices

__all__ = ("QUEUE_ADMIN_ROUTES", "sort_labels")

LIST = "core/admin/queues/list.html"
EDIT = "core/admin/queues/edit.html"
PREVIEW = "core/admin/queues/preview.html"
PAGE: dict[str, Any] = {"include_in_schema": False, "media_type": MediaType.HTML}
PREVIEW_ROWS = 5
MULTI = {"type", "state", "col", "role"}


def sort_labels() -> list[tuple[str, str]]:
    """Every sort a queue may have, with its description in the current language."""
    return [
        ("-updated", _("Last updated first")),
        ("updated", _("Least recently updated first")),
        ("-created", _("Newest first")),
        ("created", _("Oldest first")),
        ("due", _("Due soonest first")),
        ("-due", _("Due latest first")),
        ("-priority", _("Highest priority first")),
        ("priority", _("Lowest priority first")),
        ("reference", _("By reference, ascending")),
        ("-reference", _("By reference, descending")),
    ]


def _need(ctx: RequestContext) -> None:
    ctx.require("district", "admin")
    assert ctx.district is not None


async def _queue(ctx: RequestContext, key: str) -> SavedQueue:
    queue = next((q for q in await shared_queues(ctx) if q.key == key), None) if key else None
    if queue is None:
        raise NotFoundException(_("Not found."))
    return queue


def _values_of(queue: SavedQueue | None) -> dict[str, Any]:
    """The editor's fields for a stored queue (a new queue: the queue page's defaults)."""
    if queue is None:
        return {"col": list(DEFAULT_COLUMNS), "sort": "-updated", "open": "open", "scope": "all"}
    values: dict[str, Any] = {"key": queue.key, "label_zh": queue.label_zh, "label_en": queue.label_en}
    values.update(queue.filters or {})
    values.update({"col": list(queue.columns or DEFAULT_COLUMNS), "sort": queue.sort, "role": list(queue.roles or [])})
    return values


def _read(data: Any) -> tuple[FormState, dict[str, Any]]:
    """The posted editor: what was typed (to show again) and the definition to check."""
    values: dict[str, Any] = {}
    for name in ("key", "label_zh", "label_en", "sort", *FILTER_NAMES):
        if name in MULTI:
            continue
        values[name] = str(data.get(name, "")).strip()
    for name in MULTI:
        values[name] = [str(v) for v in data.getall(name, []) if str(v).strip()]

    def place(column: str) -> tuple[int, int]:
        text = str(data.get(f"order.{column}", "")).strip()
        return (int(text) if text.lstrip("-").isdigit() else 999, BASE_COLUMNS.index(column))

    known = [c for c in values["col"] if c in BASE_COLUMNS]
    values["col"] = sorted(dict.fromkeys(known), key=place) + [c for c in values["col"] if c not in BASE_COLUMNS]
    raw = {
        "label_zh": values["label_zh"],
        "label_en": values["label_en"],
        "filters": {n: values[n] for n in FILTER_NAMES if values.get(n)},
        "columns": values["col"],
        "sort": values["sort"],
        "roles": values["role"],
    }
    return FormState(values), raw


async def _editor(
    request: Request[Any, Any, Any], ctx: RequestContext, form: FormState, status: int = 200
) -> HTMXBlockTemplate:
    assert ctx.district is not None
    options = await choices(ctx, Filters())
    roles = [(r.key, r.name(ctx.locale)) for r in await list_roles(ctx.session, ctx.district)]
    chosen = list(form.value("col", []))
    columns = sorted(
        options["all_columns"], key=lambda c: (chosen.index(c[0]) if c[0] in chosen else 99, BASE_COLUMNS.index(c[0]))
    )
    return await render(
        request,
        ctx,
        EDIT,
        status_code=status,
        form=form,
        options=options,
        roles=roles,
        columns=columns,
        sorts=sort_labels(),
    )


@get("/admin/queues", name="admin_queues", **PAGE)
async def queue_list(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate:
    """The district's shared queues in their sidebar order, with who sees each."""
    _need(ctx)
    assert ctx.district is not None
    roles = {r.key: r.name(ctx.locale) for r in await list_roles(ctx.session, ctx.district)}
    names = {c: column_label(c) for c in BASE_COLUMNS}
    return await render(request, ctx, LIST, queues=await shared_queues(ctx), roles=roles, column_names=names)


@get("/admin/queues/edit", **PAGE)
async def queue_editor(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate:
    """The editor of one shared queue (``?key=``), or of a new one."""
    _need(ctx)
    key = str(request.query_params.get("key") or "")
    queue = await _queue(ctx, key) if key else None
    return await _editor(request, ctx, FormState(_values_of(queue)))


@post("/admin/queues", **PAGE)
async def save_shared_queue(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Create or (with ``key``) change a shared queue; a refused definition is shown again, unchanged."""
    _need(ctx)
    form, raw = _read(await form_of(request))
    queue = await _queue(ctx, form.value("key")) if form.value("key") else None
    try:
        spec: QueueSpec = check_spec(raw, await known_choices(ctx), shared=True)
    except InvalidData as exc:
        form.errors.update(exc.errors)
        form.errors["_"] = exc.message
        return await _editor(request, ctx, form, error_status(request))
    if queue is None:
        await create_queue(ctx, spec, shared=True)
    else:
        await update_queue(ctx, queue, spec)
    return await done(request, ctx, ctx.url("/admin/queues"), _("The queue %(name)s was saved.", name=spec.label_zh))


@post("/admin/queues/preview", **PAGE)
async def preview_queue(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate:
    """How many cases the queue being edited selects, and its first rows (as the admin sees them)."""
    _need(ctx)
    _form, raw = _read(await form_of(request))
    raw["label_zh"] = raw["label_zh"] or "-"
    context: dict[str, Any] = {"ctx": ctx, "request": request}
    try:
        spec = check_spec(raw, await known_choices(ctx), shared=True)
    except InvalidData as exc:
        context["problems"] = list(exc.errors.values())
    else:
        definitions = await all_definitions(ctx)
        found = await list_cases(ctx, spec.filters, definitions, limit=PREVIEW_ROWS)
        n = await count_cases(ctx, spec.filters, definitions)
        context.update(
            count="1000+" if n > 1000 else str(n),
            rows=await build_rows(ctx, found.cases),
            columns=spec.columns,
        )
    return HTMXBlockTemplate(template_name=PREVIEW, context=context)


@post("/admin/queues/move", **PAGE)
async def move_shared_queue(request: Request[Any, Any, Any], ctx: RequestContext) -> Redirect:
    """Move a shared queue one place up or down in the sidebar."""
    _need(ctx)
    data = await form_of(request)
    queue = await _queue(ctx, str(data.get("key", "")))
    await move_queue(ctx, queue, -1 if data.get("direction") == "up" else 1)
    return await done(request, ctx, ctx.url("/admin/queues"), _("The order was saved."))


@post("/admin/queues/delete", **PAGE)
async def delete_shared_queue(request: Request[Any, Any, Any], ctx: RequestContext) -> Redirect:
    """Delete a shared queue (the cases in it are not touched)."""
    _need(ctx)
    data = await form_of(request)
    queue = await _queue(ctx, str(data.get("key", "")))
    await delete_queue(ctx, queue)
    return await done(request, ctx, ctx.url("/admin/queues"), _("The queue was removed."))


QUEUE_ADMIN_ROUTES = [
    queue_list,
    queue_editor,
    save_shared_queue,
    preview_queue,
    move_shared_queue,
    delete_shared_queue,
]
