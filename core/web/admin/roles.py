"""District admin: roles and the permissions each has (checkboxes, never raw Casbin text)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post

from core.context import RequestContext
from core.i18n import gettext as _
from core.refusal import ServiceError
from core.services import roles as svc
from core.web.admin.common import FormState, done, error_status, form_of, render, service_failure

__all__ = ("ROLE_ROUTES", "permission_value")

LIST = "core/admin/roles.html"
DETAIL = "core/admin/role.html"


def permission_value(resource: str, action: str) -> str:
    """The checkbox value for a permission (resources and actions never contain spaces)."""
    return f"{resource} {action}"


async def _list_page(request: Request[Any, Any, Any], ctx: RequestContext, form: FormState, status: int = 200) -> Any:
    assert ctx.district is not None
    return await render(
        request,
        ctx,
        LIST,
        status_code=status,
        roles=await svc.list_roles(ctx.session, ctx.district),
        usage=await svc.role_usage(ctx.session, ctx.district),
        form=form,
    )


@get("/admin/roles", name="admin_roles", include_in_schema=False)
async def roles(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """The district's roles, how many members each has, and a form to add one."""
    ctx.require("roles", "manage")
    return await _list_page(request, ctx, FormState())


@post("/admin/roles", include_in_schema=False)
async def create_role(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Add a role of the district's own."""
    ctx.require("roles", "manage")
    assert ctx.district is not None
    data = await form_of(request)
    form = FormState({k: str(data.get(k, "")) for k in ("key", "name_zh", "name_en")})
    try:
        role = await svc.create_role(
            ctx.session,
            ctx.district,
            key=form.value("key"),
            name_zh=form.value("name_zh"),
            name_en=form.value("name_en"),
        )
    except ServiceError as exc:
        form.errors = exc.errors
        return await _list_page(request, ctx, form, error_status(request, exc))
    return await done(
        request, ctx, ctx.url(f"/admin/roles/{role.key}"), _("The role %(name)s was added.", name=role.name_zh)
    )


async def _detail_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    key: str,
    *,
    form: FormState | None = None,
    checked: set[str] | None = None,
    perm_error: str = "",
    removing: list[str] | None = None,
    status: int = 200,
) -> Any:
    assert ctx.district is not None
    try:
        role = await svc.get_role(ctx.session, ctx.district, key)
    except ServiceError as exc:
        service_failure(exc)
        raise
    if checked is None:
        checked = {permission_value(r, a) for r, a in await svc.permissions_of(ctx.session, ctx.district, key)}
    return await render(
        request,
        ctx,
        DETAIL,
        status_code=status,
        role=role,
        groups=svc.permission_groups(ctx.host),
        checked=checked,
        perm_error=perm_error,
        removing=removing or [],
        permission_value=permission_value,
        used=(await svc.role_usage(ctx.session, ctx.district)).get(key, 0),
        form=form or FormState({"name_zh": role.name_zh, "name_en": role.name_en}),
    )


def _permission_labels(ctx: RequestContext) -> dict[tuple[str, str], str]:
    english = ctx.locale.startswith("en")
    return {
        (p.resource, p.action): (p.label_en if english and p.label_en else p.label_zh)
        for group in svc.permission_groups(ctx.host)
        for p in group.permissions
    }


@get("/admin/roles/{role_key:str}", include_in_schema=False)
async def role_detail(request: Request[Any, Any, Any], ctx: RequestContext, role_key: str) -> Any:
    """One role: its names and its permissions as checkboxes grouped by module."""
    ctx.require("roles", "manage")
    return await _detail_page(request, ctx, role_key)


@post("/admin/roles/{role_key:str}", include_in_schema=False)
async def rename_role(request: Request[Any, Any, Any], ctx: RequestContext, role_key: str) -> Any:
    """Change the role's names."""
    ctx.require("roles", "manage")
    assert ctx.district is not None
    data = await form_of(request)
    form = FormState({k: str(data.get(k, "")) for k in ("name_zh", "name_en")})
    try:
        await svc.rename_role(
            ctx.session, ctx.district, role_key, name_zh=form.value("name_zh"), name_en=form.value("name_en")
        )
    except ServiceError as exc:
        service_failure(exc)
        form.errors = exc.errors
        return await _detail_page(request, ctx, role_key, form=form, status=error_status(request, exc))
    return await done(request, ctx, ctx.url(f"/admin/roles/{role_key}"), _("Saved."))


@post("/admin/roles/{role_key:str}/permissions", include_in_schema=False)
async def set_permissions(request: Request[Any, Any, Any], ctx: RequestContext, role_key: str) -> Any:
    """Replace the role's permissions by the boxes ticked."""
    ctx.require("roles", "manage")
    assert ctx.district is not None
    data = await form_of(request)
    values = [str(v) for v in data.getall("permission")] if "permission" in data else []
    pairs = [tuple(v.split(" ", 1)) for v in values if " " in v]
    confirmed = str(data.get("confirm", "")) == "1" or request.query_params.get("confirm") == "true"
    wanted = [(r, a) for r, a in pairs]
    try:
        await svc.set_permissions(ctx.session, ctx.district, ctx.host, role_key, wanted, confirmed=confirmed)
    except svc.NeedsConfirmation as exc:  # asked on the page, nothing changed yet
        labels = _permission_labels(ctx)
        removing = [labels.get(p, f"{p[0]}:{p[1]}") for p in exc.removed]
        return await _detail_page(
            request, ctx, role_key, checked=set(values), perm_error=exc.message, removing=removing
        )
    except ServiceError as exc:
        service_failure(exc)
        return await _detail_page(
            request, ctx, role_key, checked=set(values), perm_error=exc.message, status=error_status(request, exc)
        )
    return await done(request, ctx, ctx.url(f"/admin/roles/{role_key}"), _("The permissions were saved."))


@post("/admin/roles/{role_key:str}/delete", include_in_schema=False)
async def delete_role(request: Request[Any, Any, Any], ctx: RequestContext, role_key: str) -> Any:
    """Delete a role the district made, once nobody has it."""
    ctx.require("roles", "manage")
    assert ctx.district is not None
    try:
        await svc.delete_role(ctx.session, ctx.district, role_key)
    except ServiceError as exc:
        service_failure(exc)
        form = FormState(errors={"_": exc.message})
        return await _detail_page(request, ctx, role_key, form=form, status=error_status(request, exc))
    return await done(request, ctx, ctx.url("/admin/roles"), _("The role was deleted."))


ROLE_ROUTES = [roles, create_role, role_detail, rename_role, set_permissions, delete_role]
