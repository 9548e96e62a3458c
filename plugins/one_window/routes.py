"""Catalogue pages: ``/d/{district}/one_window`` (list and search), an item, its form, XLSX import and export;
and the public guide ``/d/{district}/public/one_window`` where residents look items up.

Every page is a full page on a normal load and only its block for htmx (the core's
``page()``). Forms post back to themselves: on an error the form comes back with the
messages next to the fields and the input kept; on success the browser goes on.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body

from core.plugin_api import Form, FormState, RequestContext, error_status, flashes, page, redirect
from core.plugin_api import gettext as _
from plugins.one_window import eligibility, service, xlsx
from plugins.one_window.backoffice import route_of, route_text
from plugins.one_window.manifest import KEY, MANIFEST
from plugins.one_window.models import Item, ItemVersion

__all__ = ("OPEN_ROUTES", "ROUTES", "Upload")

Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]


def route_lines(item: Item | ItemVersion, names: dict[int, str]) -> list[str]:
    """The item's route, one line per stage: the departments (in parallel) and the working days."""
    return [
        _(
            "%(departments)s · %(n)s working days",
            departments="、".join(names.get(d, "") for d in stage["departments"]),
            n=stage["days"],
        )
        for stage in route_of(item)
    ]


def _department_filter(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


async def _item_or_404(ctx: RequestContext, item_id: int) -> Item:
    item = await service.get_item(ctx.session, item_id)
    if item is None:
        raise NotFoundException(_("Not found."))
    return item


@get("/one_window", name="one_window:index")
async def index(
    request: Request[Any, Any, Any], ctx: RequestContext, q: str = "", department: str | None = None
) -> Response[Any]:
    """The catalogue: items by code, searched by name, code or keyword, filtered by department."""
    ctx.require(KEY, "view")
    department_id = _department_filter(department)
    names = await service.department_names(ctx.session, ctx.locale)
    return await page(
        request,
        ctx,
        "one_window/index.html",
        block="results" if request.headers.get("hx-target") == "ow-results" else "content",
        title=MANIFEST.name(ctx.locale),
        items=await service.list_items(ctx.session, q[:100], department_id=department_id),
        q=q[:100],
        department=department_id,
        departments=names,
        can_manage=ctx.can(KEY, "manage"),
        can_intake=ctx.can(KEY, "intake"),
        messages=await flashes(request, ctx),
    )


async def _conditions(ctx: RequestContext, item: Item | ItemVersion) -> list[str]:
    """The item's checked conditions in words (the age, gender, residence … rules)."""
    return eligibility.condition_lines(item, await eligibility.place_names(ctx.session, ctx.locale))


async def _form_page(
    request: Request[Any, Any, Any], ctx: RequestContext, state: FormState, item: Item | None
) -> Response[Any]:
    return await page(
        request,
        ctx,
        "one_window/item_form.html",
        status_code=error_status(request, state) if not state.ok else 200,
        form=state,
        item=item,
        action=ctx.url(f"/one_window/items/{item.id}") if item else ctx.url("/one_window/items"),
        departments=list((await service.department_names(ctx.session, ctx.locale)).items()),
        genders=[("female", _("Women only")), ("male", _("Men only"))],
        places=[("0", _("The district"))]
        + [(str(k), v) for k, v in (await eligibility.place_names(ctx.session, ctx.locale)).items()],
        relations=_relation_choices(state.value("relations")),
    )


def _relation_choices(current: Any) -> list[tuple[str, str]]:
    """The item form's relation choices (owners, tenants, either), and the item's own when it is another."""
    choices = [(",".join(p), eligibility.relation_text(p)) for p in eligibility.RELATION_PRESETS]
    given = str(current or "")
    if given and given not in dict(choices):
        keys = [k for k in given.split(",") if k in eligibility.RELATION_WORDS]
        choices.append((given, eligibility.relation_text(keys) or given))
    return choices


@get("/one_window/items/new", name="one_window:item_new")
async def item_new(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """An empty item form."""
    ctx.require(KEY, "manage")
    state = FormState(values={"time_limit_days": "20", "fee": "不收费", "is_active": "on"})
    return await _form_page(request, ctx, state, None)


@post("/one_window/items", name="one_window:item_create", status_code=200)
async def item_create(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Add an item, or show the form again with what is wrong."""
    ctx.require(KEY, "manage")
    assert ctx.district is not None and ctx.user is not None
    raw = {**data, "is_active": data.get("is_active", ""), "no_duplicate": data.get("no_duplicate", "")}
    values, errors = await service.validate(ctx.session, raw)
    if values is None:
        return await _form_page(request, ctx, FormState(values=dict(data), errors=errors), None)
    item = await service.add_item(ctx.session, ctx.district, values, created_by=ctx.user.id)
    return await redirect(request, ctx, ctx.url(f"/one_window/items/{item.id}"), _("Saved."))


@get("/one_window/items/{item_id:int}", name="one_window:item")
async def item_detail(request: Request[Any, Any, Any], ctx: RequestContext, item_id: int) -> Response[Any]:
    """One item in full, as staff see it."""
    ctx.require(KEY, "view")
    item = await _item_or_404(ctx, item_id)
    names = await service.department_names(ctx.session, ctx.locale)
    return await page(
        request,
        ctx,
        "one_window/item.html",
        item=item,
        department=names.get(item.department_id or 0, ""),
        route_lines=route_lines(item, names),
        condition_lines=await _conditions(ctx, item),
        can_manage=ctx.can(KEY, "manage"),
        can_intake=ctx.can(KEY, "intake"),
        versions=await service.versions_of(ctx.session, item.id),
        messages=await flashes(request, ctx),
    )


@get("/one_window/items/{item_id:int}/versions/{version:int}", name="one_window:item_version")
async def item_version(
    request: Request[Any, Any, Any], ctx: RequestContext, item_id: int, version: int
) -> Response[Any]:
    """One published version of an item, as residents were told it and as requests received under it are worked."""
    ctx.require(KEY, "view")
    item = await _item_or_404(ctx, item_id)
    found = await service.get_version(ctx.session, item_id, version)
    if found is None:
        raise NotFoundException(_("Not found."))
    names = await service.department_names(ctx.session, ctx.locale)
    return await page(
        request,
        ctx,
        "one_window/item_version.html",
        item=found,
        current=item,
        department=names.get(found.department_id or 0, ""),
        route_lines=route_lines(found, names),
        condition_lines=await _conditions(ctx, found),
    )


@get("/one_window/items/{item_id:int}/edit", name="one_window:item_edit")
async def item_edit(request: Request[Any, Any, Any], ctx: RequestContext, item_id: int) -> Response[Any]:
    """The item's form, filled in."""
    ctx.require(KEY, "manage")
    item = await _item_or_404(ctx, item_id)
    names = await service.department_names(ctx.session, ctx.locale)
    values = {**service.values_of(item), "route": route_text(item.route, names)}
    return await _form_page(request, ctx, FormState(values=values), item)


@post("/one_window/items/{item_id:int}", name="one_window:item_update", status_code=200)
async def item_update(request: Request[Any, Any, Any], ctx: RequestContext, item_id: int, data: Form) -> Response[Any]:
    """Save the edited item, or show the form again with what is wrong."""
    ctx.require(KEY, "manage")
    item = await _item_or_404(ctx, item_id)
    raw = {**data, "is_active": data.get("is_active", ""), "no_duplicate": data.get("no_duplicate", "")}
    values, errors = await service.validate(ctx.session, raw, item=item)
    if values is None:
        return await _form_page(request, ctx, FormState(values=dict(data), errors=errors), item)
    await service.update_item(ctx.session, item, values, by=ctx.user.id if ctx.user else None)
    return await redirect(request, ctx, ctx.url(f"/one_window/items/{item.id}"), _("Saved."))


@get("/one_window/import", name="one_window:import_form")
async def import_form(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The upload form for a catalogue sheet."""
    ctx.require(KEY, "manage")
    return await page(request, ctx, "one_window/import.html", result=None, columns=xlsx.COLUMNS)


@post("/one_window/import", name="one_window:import", status_code=200)
async def import_upload(request: Request[Any, Any, Any], ctx: RequestContext, data: Upload) -> Response[Any]:
    """Import every row or none; the answer names each bad row and why (400), or what was added and changed."""
    ctx.require(KEY, "manage")
    assert ctx.district is not None and ctx.user is not None
    upload = data.get("file")
    if not isinstance(upload, UploadFile):
        result = xlsx.ImportResult(errors=[_("Choose a file to upload.")])
    else:
        content = await upload.read(xlsx.MAX_BYTES + 1)
        result = await xlsx.run_import(ctx.session, ctx.district, content, by=ctx.user.id)
    return await page(
        request,
        ctx,
        "one_window/import.html",
        status_code=200 if result.ok else error_status(request),
        result=result,
        columns=xlsx.COLUMNS,
    )


@get("/one_window/export.xlsx", name="one_window:export")
async def export(ctx: RequestContext) -> Response[bytes]:
    """The catalogue as an XLSX file (the import's columns)."""
    ctx.require(KEY, "view")
    return Response(
        await xlsx.export_bytes(ctx.session),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="one-window-catalogue.xlsx"'},
    )


# -- the public guide (no login; mounted under /d/{district}/public/) ------------------------


@get("/one_window", name="one_window:public")
async def public_guide(request: Request[Any, Any, Any], ctx: RequestContext, q: str = "") -> Response[Any]:
    """The items offered at the window, searched by name, code or keyword."""
    assert ctx.district is not None
    settings = await service.window_settings(ctx.session, ctx.district, ctx.host)
    return await page(
        request,
        ctx,
        "one_window/public.html",
        items=await service.list_items(ctx.session, q[:100], active_only=True),
        departments=await service.department_names(ctx.session, ctx.locale),
        q=q[:100],
        settings=settings,
    )


@get("/one_window/{code:str}", name="one_window:public_item")
async def public_item(request: Request[Any, Any, Any], ctx: RequestContext, code: str) -> Response[Any]:
    """One item for residents: who may apply, what to bring, how long it takes, what it costs, where."""
    assert ctx.district is not None
    found = [i for i in await service.list_items(ctx.session, code[:40], active_only=True) if i.code == code.upper()]
    if not found:
        raise NotFoundException(_("Not found."))
    settings = await service.window_settings(ctx.session, ctx.district, ctx.host)
    names = await service.department_names(ctx.session, ctx.locale)
    return await page(
        request,
        ctx,
        "one_window/public_item.html",
        item=found[0],
        department=names.get(found[0].department_id or 0, ""),
        route_lines=route_lines(found[0], names),
        condition_lines=await _conditions(ctx, found[0]),
        settings=settings,
    )


ROUTES = [
    index,
    item_new,
    item_create,
    item_detail,
    item_version,
    item_edit,
    item_update,
    import_form,
    import_upload,
    export,
]
OPEN_ROUTES = [public_guide, public_item]
