"""District admin: the case-type builder (list, drafts, editor, preview, publish, retire, YAML).

Every page works as a full load; forms post with htmx and swap the main area. Editing
actions post to one URL with ``op`` naming the action (see ``core.builder.edit``).
"""

from __future__ import annotations

import copy
from typing import Any

from litestar import Request, Response, get, post
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException
from litestar.response import Template

from core.builder import edit
from core.builder import service as builder
from core.cases.types import definition_of
from core.context import RequestContext
from core.forms import form_input, validate
from core.forms.definition import DefinitionError
from core.i18n import gettext as _
from core.web.admin.builder_view import check_condition, editor_view, preview_form, role_options
from core.web.admin.case_type_migrate import MIGRATION_ROUTES, migration_context
from core.web.admin.common import FormState, done, error_status, form_of, is_fragment, render
from core.web.forms import FormView, Slot, read_posted

__all__ = ("CASE_TYPE_ROUTES",)

LIST = "core/admin/builder/list.html"
EDITOR = "core/admin/builder/editor.html"
DETAIL = "core/admin/builder/detail.html"
CONFIRM = "core/admin/builder/publish_confirm.html"
# Pages and fragments: not in the API schema, answered as text/html (browsers show anything else as text).
PAGE: dict[str, Any] = {"include_in_schema": False, "media_type": MediaType.HTML}


def _need(ctx: RequestContext) -> None:
    ctx.require("district", "admin")
    assert ctx.district is not None


async def _list(request: Request[Any, Any, Any], ctx: RequestContext, form: FormState, status: int = 200) -> Any:
    assert ctx.district is not None
    rows = await builder.versions_of(ctx.session, ctx.district)
    types: dict[str, list[Any]] = {}
    for row in rows:
        types.setdefault(row.key, []).append(row)
    return await render(
        request,
        ctx,
        LIST,
        status_code=status,
        types=types,
        open_cases=await builder.open_cases_by_version(ctx.session, ctx.district),
        form=form,
    )


@get("/admin/case-types", name="admin_case_types", **PAGE)
async def case_types(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Every case type of the district with its versions, status, source and open cases per version."""
    _need(ctx)
    return await _list(request, ctx, FormState())


@post("/admin/case-types", **PAGE)
async def create_draft(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Start a draft: a new type, or a copy of a type of this or another district (``copy`` = ``code/key``)."""
    _need(ctx)
    assert ctx.district is not None and ctx.user is not None
    data = await form_of(request)
    form = FormState({k: str(data.get(k, "")).strip() for k in ("key", "name_zh", "name_en", "copy")})
    copy_from = None
    if form.value("copy"):
        code, _sep, key = form.value("copy").partition("/")
        copy_from = (code, key)
    elif not form.value("name_zh"):
        form.errors["name_zh"] = _("This field is required.")
        return await _list(request, ctx, form, error_status(request))
    try:
        row = await builder.start_draft(
            ctx.session,
            ctx.district,
            user_id=ctx.user.id,
            key=form.value("key"),
            name_zh=form.value("name_zh"),
            name_en=form.value("name_en"),
            copy_from=copy_from,
        )
    except builder.BuilderError as exc:
        form.errors["key"] = exc.message
        return await _list(request, ctx, form, error_status(request, exc))
    return await done(request, ctx, ctx.url(f"/admin/case-types/{row.key}"), _("The draft was created."))


@post("/admin/case-types/import", **PAGE)
async def import_type(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Import YAML (pasted or uploaded) into a draft; problems are shown with their line."""
    _need(ctx)
    assert ctx.district is not None and ctx.user is not None
    data = await form_of(request)
    text = str(data.get("yaml") or "")
    upload: Any = data.get("file")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        text = (await upload.read()).decode("utf-8", errors="replace")
    form = FormState({"yaml": text})
    try:
        row = await builder.import_yaml(ctx.session, ctx.district, text, user_id=ctx.user.id)
    except DefinitionError as exc:
        form.errors["yaml"] = "\n".join(str(p) for p in exc.problems)
        return await _list(request, ctx, form, error_status(request))
    return await done(
        request, ctx, ctx.url(f"/admin/case-types/{row.key}"), _("The case type was imported as a draft.")
    )


async def _editor(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str, status: int = 200) -> Any:
    assert ctx.district is not None
    draft = await builder.draft_of(ctx.session, ctx.district, type_key)
    if draft is not None:
        return await render(request, ctx, EDITOR, status_code=status, view=await editor_view(ctx, draft))
    versions = await builder.versions_of(ctx.session, ctx.district, type_key)
    if not versions:
        raise NotFoundException(_("No such case type."))
    from core.builder.diagram import diagram_svg  # noqa: PLC0415

    latest = versions[0]
    return await render(
        request,
        ctx,
        DETAIL,
        status_code=status,
        key=type_key,
        versions=versions,
        latest=latest,
        diagram=diagram_svg(latest.definition.get("workflow"), ctx.locale),
        open_cases=await builder.open_cases_by_version(ctx.session, ctx.district),
        **await migration_context(ctx, type_key),
    )


@get("/admin/case-types/{type_key:str}", **PAGE)
async def case_type_page(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str) -> Any:
    """The draft's editor, or (without a draft) the type's versions with their diagram."""
    _need(ctx)
    return await _editor(request, ctx, type_key)


@post("/admin/case-types/{type_key:str}/draft", **PAGE)
async def edit_draft(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str) -> Any:
    """Apply one editor action (``op``) to the draft, or start a draft of the newest version (``op=start``)."""
    _need(ctx)
    assert ctx.district is not None and ctx.user is not None
    posted, _files = await read_posted(request)
    op = str(posted.get("op") or "")
    if op == "start":
        try:
            await builder.start_draft(ctx.session, ctx.district, user_id=ctx.user.id, key=type_key)
        except builder.BuilderError as exc:
            if exc.status_code == 404:
                raise NotFoundException(exc.message) from exc
    else:
        draft = await builder.draft_of(ctx.session, ctx.district, type_key)
        if draft is None:
            raise NotFoundException(_("No such case type."))
        if op == "discard":
            await ctx.session.delete(draft)
            await ctx.session.flush()
            return await done(request, ctx, ctx.url("/admin/case-types"), _("The draft was discarded."))
        raw = copy.deepcopy(draft.definition)
        if edit.apply(raw, op, posted):
            builder.save_draft(draft, raw)
            await ctx.session.flush()
    if is_fragment(request):
        return await _editor(request, ctx, type_key)
    return await done(request, ctx, ctx.url(f"/admin/case-types/{type_key}"), _("Saved."))


@post("/admin/case-types/{type_key:str}/check", **PAGE)
async def check_expression(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str) -> Any:
    """Check a condition as it is typed: the error, or a note that it is fine (before saving)."""
    _need(ctx)
    assert ctx.district is not None
    draft = await builder.draft_of(ctx.session, ctx.district, type_key)
    if draft is None:
        raise NotFoundException(_("No such case type."))
    posted, _files = await read_posted(request)
    attr = str(request.query_params.get("attr") or "show_if")
    expression = str(posted.get(attr) or posted.get("guard") or "")
    error = check_condition(dict(draft.definition), expression, str(posted.get("path") or ""))
    return Template("core/admin/builder/check.html", context={"error": error, "expression": expression, "ctx": ctx})


@post("/admin/case-types/{type_key:str}/preview", **PAGE)
async def preview(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str) -> Any:
    """The live preview: one field validated as it is left, a new group row, or the whole form checked."""
    _need(ctx)
    assert ctx.district is not None
    draft = await builder.draft_of(ctx.session, ctx.district, type_key)
    form = preview_form(dict(draft.definition)) if draft is not None else None
    if form is None:
        raise NotFoundException(_("No such case type."))
    posted, _files = await read_posted(request)
    raw = form_input(form, posted)
    base = ctx.url(f"/admin/case-types/{type_key}/preview")
    group_key = request.query_params.get("group")
    if group_key:
        group = form.get(group_key)
        if group is None or group.type != "group":
            raise NotFoundException(_("No such field."))
        view = FormView(form, locale=ctx.locale, field_url=base, row_url=base, prefix="pv")
        if request.query_params.get("remove"):
            return Template("core/forms/row.html", context={"view": view, "cells": None, "ctx": ctx})
        taken = [
            int(k.split(".")[1])
            for k in posted.keys()  # noqa: SIM118 - Posted is not iterable
            if k.startswith(group.key + ".") and k.split(".")[1].isdigit()
        ]
        index = max(taken, default=-1) + 1
        cells = view.cells(group, group.key, index, {})
        return Template(
            "core/forms/row.html",
            context={"view": view, "group": Slot(group, group.key, []), "index": index, "cells": cells, "ctx": ctx},
        )
    path = request.query_params.get("field")
    result = validate(form, raw, source="form", only=[path.split(".", 1)[0]] if path else None)
    if path:
        errors = {k: v for k, v in result.errors.items() if k == path}
        view = FormView(form, values=raw, errors=errors, locale=ctx.locale, field_url=base, row_url=base, prefix="pv")
        slot = view.at(path)
        if slot is None:
            raise NotFoundException(_("No such field."))
        shown = set(posted.getall("_visible"))
        conds = set(posted.getall("_cond"))
        flipped = [s for s in view.slots() if s.field.key in conds and s.visible != (s.field.key in shown)]
        flipped = [s for s in flipped if s.name != slot.name]
        return Template("core/forms/field.html", context={"view": view, "slot": slot, "oob": flipped, "ctx": ctx})
    view = FormView(
        form, values=raw, errors=result.errors, locale=ctx.locale, field_url=base, row_url=base, prefix="pv"
    )
    return Template(
        "core/admin/builder/preview.html",
        context={"preview": view, "ok": not result.errors, "ctx": ctx, "checked": True},
    )


@post("/admin/case-types/{type_key:str}/publish", **PAGE)
async def publish(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str) -> Any:
    """Publish the draft as the next version (refused while problems remain).

    When publishing would take access away from anyone, the first post answers a
    confirmation listing what each role loses; its "publish anyway" button posts ``confirm=1``.
    """
    _need(ctx)
    assert ctx.district is not None and ctx.user is not None
    posted = await form_of(request)
    confirmed = str(posted.get("confirm") or "") == "1"
    try:
        row = await builder.publish(ctx.session, ctx.district, type_key, user_id=ctx.user.id, allow_losses=confirmed)
    except builder.AccessLoss as exc:
        roles = dict(await role_options(ctx.session, ctx.district, ctx.locale))
        return await render(
            request, ctx, CONFIRM, key=type_key, losses={roles.get(r, r): a for r, a in exc.losses.items()}
        )
    except builder.BuilderError as exc:
        if exc.status_code == 404:
            raise NotFoundException(exc.message) from exc
        return await _editor(request, ctx, type_key, status=error_status(request, exc))
    return await done(
        request,
        ctx,
        ctx.url(f"/admin/case-types/{type_key}"),
        _("Version %(n)s was published; new cases use it now.", n=row.version),
    )


@post("/admin/case-types/{type_key:str}/retire", **PAGE)
async def retire(request: Request[Any, Any, Any], ctx: RequestContext, type_key: str) -> Any:
    """Retire the type (asks for ``confirm=yes``): no new cases; open ones keep working."""
    _need(ctx)
    assert ctx.district is not None
    data = await form_of(request)
    if data.get("confirm") != "yes":
        return Response(_("Confirm to retire."), status_code=400, media_type="text/plain")
    try:
        await builder.retire(ctx.session, ctx.district, type_key)
    except builder.BuilderError as exc:
        raise NotFoundException(exc.message) from exc
    return await done(request, ctx, ctx.url(f"/admin/case-types/{type_key}"), _("The case type was retired."))


@get("/admin/case-types/{type_key:str}/export.yaml", include_in_schema=False)
async def export(ctx: RequestContext, type_key: str) -> Response[str]:
    """The newest published (or retired) version as the YAML plugins ship, as a download."""
    _need(ctx)
    assert ctx.district is not None
    rows = [r for r in await builder.versions_of(ctx.session, ctx.district, type_key) if r.status != "draft"]
    if not rows:
        raise NotFoundException(_("No such case type."))
    return Response(
        builder.export_yaml(definition_of(rows[0])),
        media_type="application/yaml; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{type_key}.yaml"'},
    )


CASE_TYPE_ROUTES = [
    case_types,
    create_draft,
    import_type,
    case_type_page,
    edit_draft,
    check_expression,
    preview,
    publish,
    retire,
    export,
    *MIGRATION_ROUTES,
]
