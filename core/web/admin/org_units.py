"""District admin: the org-unit tree (add a unit, rename, move, delete)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post

from core.context import RequestContext
from core.i18n import gettext as _
from core.models import OrgUnitKind
from core.models.district import ALLOWED_PARENTS
from core.refusal import ServiceError
from core.services import org_units as svc
from core.web.admin.common import FormState, done, error_status, form_of, int_or_none, render, service_failure

__all__ = ("ORG_UNIT_ROUTES",)

LIST = "core/admin/org_units.html"
DETAIL = "core/admin/org_unit.html"
FIELDS = ("code", "name_zh", "name_en", "kind", "parent_id")


def _kinds() -> list[tuple[str, str]]:
    return [(k.value, svc.kind_label(k)) for k in OrgUnitKind]


async def _list_page(request: Request[Any, Any, Any], ctx: RequestContext, form: FormState, status: int = 200) -> Any:
    assert ctx.district is not None
    nodes = await svc.tree(ctx.session, ctx.district)
    return await render(
        request,
        ctx,
        LIST,
        status_code=status,
        nodes=nodes,
        form=form,
        kinds=_kinds(),
        kind_label=svc.kind_label,
        parents=[(n.unit.id, "　" * n.depth + n.unit.name(ctx.locale)) for n in nodes],
    )


@get("/admin/org-units", name="admin_org_units", include_in_schema=False)
async def org_units(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """The district's org units as an indented tree, with a form to add one."""
    ctx.require("org_units", "view")
    parent = int_or_none(request.query_params.get("parent"))
    return await _list_page(request, ctx, FormState({"parent_id": parent or "", "kind": "community"}))


@post("/admin/org-units", include_in_schema=False)
async def create_org_unit(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Add a unit (at the top or under a parent)."""
    ctx.require("org_units", "manage")
    assert ctx.district is not None
    data = await form_of(request)
    form = FormState({k: str(data.get(k, "")) for k in FIELDS})
    try:
        unit = await svc.create_unit(
            ctx.session,
            ctx.district,
            code=form.value("code"),
            name_zh=form.value("name_zh"),
            name_en=form.value("name_en"),
            kind=form.value("kind"),
            parent_id=int_or_none(form.value("parent_id")),
        )
    except ServiceError as exc:
        form.errors = exc.errors
        return await _list_page(request, ctx, form, error_status(request, exc))
    return await done(request, ctx, ctx.url("/admin/org-units"), _("%(name)s was added.", name=unit.name_zh))


async def _detail_page(
    request: Request[Any, Any, Any], ctx: RequestContext, unit_id: int, form: FormState | None = None, status: int = 200
) -> Any:
    assert ctx.district is not None
    try:
        unit = await svc.get_unit(ctx.session, ctx.district, unit_id)
    except ServiceError as exc:
        service_failure(exc)
        raise
    nodes = await svc.tree(ctx.session, ctx.district)
    children = [n.unit for n in nodes if n.unit.parent_id == unit.id]
    child_kinds = [(k.value, svc.kind_label(k)) for k in OrgUnitKind if unit.kind in ALLOWED_PARENTS[k]]
    form = form or FormState({"name_zh": unit.name_zh, "name_en": unit.name_en, "parent_id": unit.parent_id or ""})
    return await render(
        request,
        ctx,
        DETAIL,
        status_code=status,
        unit=unit,
        children=children,
        child_kinds=child_kinds,
        kind_label=svc.kind_label,
        form=form,
        parents=[(n.unit.id, "　" * n.depth + n.unit.name(ctx.locale)) for n in nodes if n.unit.id != unit.id],
    )


@get("/admin/org-units/{unit_id:int}", include_in_schema=False)
async def org_unit(request: Request[Any, Any, Any], ctx: RequestContext, unit_id: int) -> Any:
    """One unit: its units, a rename/move form and the delete button."""
    ctx.require("org_units", "view")
    return await _detail_page(request, ctx, unit_id)


@post("/admin/org-units/{unit_id:int}", include_in_schema=False)
async def update_org_unit(request: Request[Any, Any, Any], ctx: RequestContext, unit_id: int) -> Any:
    """Rename a unit or move it under another parent."""
    ctx.require("org_units", "manage")
    assert ctx.district is not None
    data = await form_of(request)
    form = FormState({k: str(data.get(k, "")) for k in ("name_zh", "name_en", "parent_id")})
    try:
        unit = await svc.update_unit(
            ctx.session,
            ctx.district,
            unit_id,
            name_zh=form.value("name_zh"),
            name_en=form.value("name_en"),
            parent_id=int_or_none(form.value("parent_id")) if "parent_id" in data else svc.UNSET,
        )
    except ServiceError as exc:
        service_failure(exc)
        form.errors = exc.errors
        return await _detail_page(request, ctx, unit_id, form, error_status(request, exc))
    return await done(request, ctx, ctx.url(f"/admin/org-units/{unit.id}"), _("Saved."))


@post("/admin/org-units/{unit_id:int}/delete", include_in_schema=False)
async def delete_org_unit(request: Request[Any, Any, Any], ctx: RequestContext, unit_id: int) -> Any:
    """Delete a unit without units under it and without members."""
    ctx.require("org_units", "manage")
    assert ctx.district is not None
    try:
        unit = await svc.get_unit(ctx.session, ctx.district, unit_id)
        name = unit.name_zh
        await svc.delete_unit(ctx.session, ctx.district, unit_id)
    except ServiceError as exc:
        service_failure(exc)
        form = FormState(errors={"_": exc.message})
        return await _detail_page(request, ctx, unit_id, form, error_status(request, exc))
    return await done(request, ctx, ctx.url("/admin/org-units"), _("%(name)s was deleted.", name=name))


ORG_UNIT_ROUTES = [org_units, create_org_unit, org_unit, update_org_unit, delete_org_unit]
