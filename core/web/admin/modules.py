"""District admin: modules (installed plugins) — switch on/off, per-district settings."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post

from core.context import RequestContext
from core.i18n import gettext as _
from core.refusal import ServiceError
from core.services import plugins as svc
from core.web.admin.common import FormState, done, error_status, form_of, render, service_failure

__all__ = ("MODULE_ROUTES",)

LIST = "core/admin/modules.html"
DETAIL = "core/admin/module.html"


async def _list_page(
    request: Request[Any, Any, Any], ctx: RequestContext, errors: dict[str, str] | None = None, status: int = 200
) -> Any:
    assert ctx.district is not None
    modules = await svc.list_modules(ctx.session, ctx.district, ctx.host)
    names = {row.plugin.key: row.manifest.name(ctx.locale) for row in modules}
    return await render(request, ctx, LIST, status_code=status, modules=modules, names=names, errors=errors or {})


@get("/admin/modules", name="admin_modules", include_in_schema=False)
async def modules(request: Request[Any, Any, Any], ctx: RequestContext) -> Any:
    """Every installed module: name, version, description and whether it is on here."""
    ctx.require("plugins", "manage")
    return await _list_page(request, ctx)


async def _switch(request: Request[Any, Any, Any], ctx: RequestContext, key: str, *, on: bool) -> Any:
    ctx.require("plugins", "manage")
    assert ctx.district is not None
    try:
        plugin = svc.get_module(ctx.host, key)
        await svc.set_enabled(ctx.session, ctx.district, ctx.host, key, enabled=on)
    except ServiceError as exc:
        service_failure(exc)
        return await _list_page(request, ctx, {key: exc.message}, error_status(request, exc))
    name = plugin.manifest.name(ctx.locale)
    message = _("%(name)s is now on.", name=name) if on else _("%(name)s is now off.", name=name)
    return await done(request, ctx, ctx.url("/admin/modules"), message)


@post("/admin/modules/{key:str}/enable", include_in_schema=False)
async def enable_module(request: Request[Any, Any, Any], ctx: RequestContext, key: str) -> Any:
    """Switch a module on (refused while a module it depends on is off)."""
    return await _switch(request, ctx, key, on=True)


@post("/admin/modules/{key:str}/disable", include_in_schema=False)
async def disable_module(request: Request[Any, Any, Any], ctx: RequestContext, key: str) -> Any:
    """Switch a module off (refused while an enabled module depends on it)."""
    return await _switch(request, ctx, key, on=False)


async def _settings_page(
    request: Request[Any, Any, Any], ctx: RequestContext, key: str, form: FormState | None = None, status: int = 200
) -> Any:
    assert ctx.district is not None
    try:
        plugin = svc.get_module(ctx.host, key)
    except ServiceError as exc:
        service_failure(exc)
        raise
    rows = {row.plugin.key: row for row in await svc.list_modules(ctx.session, ctx.district, ctx.host)}
    row = rows[key]
    return await render(
        request,
        ctx,
        DETAIL,
        status_code=status,
        module=row,
        fields=svc.setting_fields(plugin, ctx.locale),
        form=form or FormState(dict(row.settings)),
        depends=[rows[d].manifest.name(ctx.locale) for d in plugin.manifest.depends_on if d in rows],
    )


@get("/admin/modules/{key:str}", include_in_schema=False)
async def module_settings(request: Request[Any, Any, Any], ctx: RequestContext, key: str) -> Any:
    """A module's settings for this district, as a form generated from its schema."""
    ctx.require("plugins", "manage")
    return await _settings_page(request, ctx, key)


@post("/admin/modules/{key:str}", include_in_schema=False)
async def save_module_settings(request: Request[Any, Any, Any], ctx: RequestContext, key: str) -> Any:
    """Validate and save the module's settings; errors appear next to their fields."""
    ctx.require("plugins", "manage")
    assert ctx.district is not None
    try:
        plugin = svc.get_module(ctx.host, key)
    except ServiceError as exc:
        service_failure(exc)
        raise
    data = await form_of(request)
    names = [f.name for f in svc.setting_fields(plugin)]
    raw: dict[str, Any] = {name: data.get(name) for name in names if name in data}
    raw["_form"] = True
    try:
        await svc.update_settings(ctx.session, ctx.district, ctx.host, key, raw)
    except ServiceError as exc:
        service_failure(exc)
        values = {name: data.get(name, "") for name in names}
        for field in svc.setting_fields(plugin):
            if field.kind == "boolean":
                values[field.name] = field.name in data
        return await _settings_page(request, ctx, key, FormState(values, exc.errors), error_status(request, exc))
    return await done(request, ctx, ctx.url(f"/admin/modules/{key}"), _("The settings were saved."))


MODULE_ROUTES = [modules, enable_module, disable_module, module_settings, save_module_settings]
