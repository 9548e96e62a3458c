"""The case page: ``/d/{code}/cases/{reference}``, and its fields edited one at a time with htmx.

Each edit posts the case's ``lock_version`` as the page knew it. The page keeps the
newest one it has seen in ``#case-lock`` (updated out of band after each save) and
htmx forms include it too, so the server takes the highest version sent: a stale page
gets 409 with what changed, by whom and when, and the user's typed value stays in
the form — never a silent overwrite.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from core.cases.errors import InvalidData, StaleCase, TransitionRefused
from core.cases.permissions import may_edit, may_take, require
from core.cases.service import get_case, update_case
from core.cases.transitions import fields_to_fill
from core.context import RequestContext
from core.db.transactions import roll_back
from core.forms import form_input, visible_fields
from core.i18n import gettext
from core.web.case_view import build_view
from core.web.forms import PAGE, FormView, form_view_for, input_values, read_posted
from core.web.pages import is_fragment, page
from core.web.uploads import file_keys

if TYPE_CHECKING:
    from core.casetypes.definition import CaseTypeDef
    from core.models.cases import Case

__all__ = ("CASE_PAGE_ROUTES", "lock_of", "render_case", "step_context")


def lock_of(posted: Any) -> int | None:
    """The newest lock version the page sent: its form's and the page's ``#case-lock``.

    The page-level input has its own name (``page_lock_version``): htmx lets a form's own
    input win over an included one of the same name, and a step form rendered before a
    field was saved still holds the older version.
    """
    values = [*posted.getall("lock_version", []), *posted.getall("page_lock_version", [])]
    found = [int(v) for v in values if str(v).isdigit()]
    return max(found) if found else None


def env_of(request: Request[Any, Any, Any]) -> Any:
    return request.app.state.jinja_env


async def render_case(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    case: Case,
    definition: CaseTypeDef,
    *,
    template: str | None = None,
    status_code: int = 200,
    **extra: Any,
) -> Any:
    """The whole page (or its content block for htmx), or one fragment ``template`` of it."""
    view = await build_view(ctx, case, definition, env_of(request))
    context = {"view": view, "case": case, "edit": None, "step": None, **extra}
    if template is not None:
        return Template(template, context={"ctx": ctx, "request": request, **context}, status_code=status_code)
    return await page(request, ctx, "core/cases/page.html", status_code=status_code, **context)


async def edit_form(
    ctx: RequestContext, case: Case, definition: CaseTypeDef, key: str, values: dict[str, Any] | None = None, **kw: Any
) -> FormView:
    """The inline form editing one field (prefilled with the stored value, or what the user typed)."""
    view = await form_view_for(
        ctx,
        definition,
        values if values is not None else input_values(definition.form, case.data),
        kw.pop("errors", {}),
        offered=(key,),
        prefix="e",
        **kw,
    )
    view.field_url = ""
    return view


async def _editable(ctx: RequestContext, reference: str, key: str) -> tuple[Case, CaseTypeDef]:
    case, definition = await get_case(ctx, reference)
    f = definition.form.get(key)
    if f is None or f.type in {"computed", "file"} or f not in visible_fields(definition.form, case.data):
        raise NotFoundException(gettext("No such field."))
    require(may_edit(ctx, case, definition))
    return case, definition


async def step_context(
    ctx: RequestContext,
    case: Case,
    definition: CaseTypeDef,
    key: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The small form of a step that needs fields or a reason (empty if the user may not take it).

    It asks for the step's own fields and for the form's required fields the case still
    lacks (a case migrated onto a version that requires more). A ``file`` field takes
    files (the form is then sent as multipart); files already uploaded with the form, or
    already in the field, are listed as ticked checkboxes.
    """
    transition = definition.workflow.transition(key)
    if transition is None or case.state not in transition.sources:
        return {}
    if not may_take(ctx, case, definition, transition):
        return {}
    needed = fields_to_fill(definition, transition, case.data)
    form = await form_view_for(
        ctx,
        definition,
        values if values is not None else input_values(definition.form, case.data),
        errors or {},
        offered=needed,
        prefix="t",
        required=needed,
        uploads=True,
    )
    lacking = [k for k in needed if k not in transition.required]
    return {
        "step": transition,
        "step_form": form,
        "step_errors": errors or {},
        "step_lacking": lacking,
        "step_files": bool(file_keys(definition, needed)),
    }


@get("/cases/{reference:str}", name="case_page", **PAGE)
async def case_page(request: Request[Any, Any, Any], ctx: RequestContext, reference: str) -> Any:
    """The case page (``?edit=<field>`` opens a field for editing, ``?step=<transition>`` a step's form)."""
    case, definition = await get_case(ctx, reference)
    extra: dict[str, Any] = {}
    key = request.query_params.get("edit")
    if key and definition.form.get(key) is not None and may_edit(ctx, case, definition):
        extra["edit"] = key
        extra["edit_form"] = await edit_form(ctx, case, definition, key)
        extra["lock"] = case.lock_version
    step_key = request.query_params.get("step")
    if step_key:
        extra.update(await step_context(ctx, case, definition, step_key))
    return await render_case(request, ctx, case, definition, **extra)


@get("/cases/{reference:str}/fields/{key:str}/edit", name="case_field_edit", **PAGE)
async def field_edit(request: Request[Any, Any, Any], ctx: RequestContext, reference: str, key: str) -> Any:
    """One field as an inline form."""
    case, definition = await _editable(ctx, reference, key)
    form = await edit_form(ctx, case, definition, key)
    return await _field_fragment(request, ctx, case, definition, key=key, edit_form=form, lock=case.lock_version)


@get("/cases/{reference:str}/fields/{key:str}", name="case_field", **PAGE)
async def field_show(request: Request[Any, Any, Any], ctx: RequestContext, reference: str, key: str) -> Any:
    """One field as text (cancelling an edit)."""
    case, definition = await get_case(ctx, reference)
    if definition.form.get(key) is None:
        raise NotFoundException(gettext("No such field."))
    return await render_case(request, ctx, case, definition, template="core/cases/page_field_one.html", key=key)


async def _field_fragment(
    request: Request[Any, Any, Any], ctx: RequestContext, case: Case, definition: CaseTypeDef, **context: Any
) -> Any:
    status = context.pop("status_code", 200)
    key = context["key"]
    if is_fragment(request):
        template = "core/cases/page_field_one.html"
        return await render_case(request, ctx, case, definition, template=template, edit=key, **context)
    return await render_case(request, ctx, case, definition, edit=key, status_code=status, **context)


@post("/cases/{reference:str}/fields/{key:str}", name="case_field_save", **PAGE)
async def field_save(request: Request[Any, Any, Any], ctx: RequestContext, reference: str, key: str) -> Any:
    """Save one field with the lock version the page had; errors and conflicts keep what was typed."""
    case, definition = await _editable(ctx, reference, key)
    posted, _ = await read_posted(request)
    raw = form_input(definition.form, posted)
    lock = lock_of(posted)
    before = {f.key for f in visible_fields(definition.form, case.data)}
    try:
        await update_case(
            ctx,
            case,
            definition,
            lock_version=lock if lock is not None else -1,
            changes={key: raw.get(key)},
            source="form",
        )
    except (InvalidData, StaleCase, TransitionRefused) as exc:
        roll_back(request)
        values = {**input_values(definition.form, case.data), key: raw.get(key)}
        conflict = exc if isinstance(exc, StaleCase) else None
        form = await edit_form(ctx, case, definition, key, values, errors=getattr(exc, "errors", {}))
        return await _field_fragment(
            request,
            ctx,
            case,
            definition,
            key=key,
            edit_form=form,
            lock=conflict.current_version if conflict else lock,
            conflict=conflict,
            conflict_lines=conflict_lines(definition, conflict.changes, ctx.locale) if conflict else [],
            message=exc.message,
            status_code=exc.status_code,
        )
    if not is_fragment(request):
        return Redirect(ctx.url(f"/cases/{case.reference}"), status_code=303)
    after = {f.key for f in visible_fields(definition.form, case.data)}
    return await render_case(
        request,
        ctx,
        case,
        definition,
        template="core/cases/page_field_saved.html",
        key=key,
        flipped=sorted((before ^ after) - {key}),
    )


def conflict_lines(definition: CaseTypeDef, changes: list[dict[str, Any]], locale: str) -> list[dict[str, str]]:
    """StaleCase's changes as text: field label, old → new (choices by label), who, when."""
    from core.cases.labels import state_label  # noqa: PLC0415
    from core.web.forms import display_value  # noqa: PLC0415

    lines = []
    for change in changes:
        name = str(change.get("field", ""))
        f = definition.form.get(name)
        if f is not None:
            label, old, new = (
                f.label(locale),
                display_value(f, change.get("old"), locale),
                display_value(f, change.get("new"), locale),
            )
        elif name == "state":
            label = gettext("State")
            old = state_label(definition, str(change.get("old")), locale)
            new = state_label(definition, str(change.get("new")), locale)
        else:
            label, old, new = name, str(change.get("old") or ""), str(change.get("new") or "")
        by, at = str(change.get("by") or ""), str(change.get("at") or "")
        lines.append({"label": label, "old": old, "new": new, "by": by, "at": at})
    return lines


CASE_PAGE_ROUTES = [case_page, field_edit, field_show, field_save]
