"""Web pages: ``/d/{district}/notices`` and the forms to publish, edit and delete notices.

Every page is a full page on a normal load and only its block for htmx. Forms post
back to themselves through htmx: on an error the form comes back with the messages
next to the fields and the input kept; on success the browser goes to the notice.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request, Response, get, post
from litestar.exceptions import NotFoundException

from core.plugin_api import TIMEZONE, Form, RequestContext, is_htmx, page, redirect, utcnow
from core.plugin_api import gettext as _
from plugins.notices import service
from plugins.notices.models import Notice

__all__ = ("OPEN_ROUTES", "ROUTES")


def _form_values(values: dict[str, Any]) -> dict[str, str]:
    """What the form's inputs show, from a notice's fields or from what was posted."""
    shown = {name: values.get(name) for name in service.FIELDS}
    when = shown["published_at"]
    if isinstance(when, datetime):
        shown["published_at"] = when.astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M")
    shown["pinned"] = "on" if shown["pinned"] in (True, "on", "true", "1") else ""
    shown["is_public"] = "on" if shown["is_public"] in (True, "on", "true", "1") else ""
    return {k: "" if v is None else str(v) for k, v in shown.items()}


async def _notice_or_404(ctx: RequestContext, notice_id: int) -> Notice:
    notice = await service.get_notice(ctx.session, notice_id)
    if notice is None or (not notice.is_published() and not ctx.can("notices", "manage")):
        raise NotFoundException(_("Not found."))
    return notice


async def _form_page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    notice: Notice | None,
) -> Response[Any]:
    action = ctx.url(f"/notices/{notice.id}") if notice else ctx.url("/notices")
    htmx_post = is_htmx(request) and request.method == "POST"
    return await page(
        request,
        ctx,
        "notices/form.html",
        block="form" if htmx_post else "content",
        # htmx swaps only 2xx answers, so the form with its errors comes back as 200 there.
        status_code=400 if errors and not htmx_post else 200,
        form=_form_values(values),
        errors=errors,
        notice=notice,
        action=action,
        community_options=[(unit.id, unit.name(ctx.locale)) for unit in await service.communities(ctx.session)],
    )


@get("/notices", name="notices:list")
async def notice_list(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Pinned notices first, then the newest; managers also see the scheduled ones."""
    ctx.require("notices", "view")
    can_manage = ctx.can("notices", "manage")
    notices = await service.list_notices(ctx.session, include_scheduled=can_manage)
    names = {unit.id: unit.name(ctx.locale) for unit in await service.communities(ctx.session)}
    return await page(
        request, ctx, "notices/list.html", notices=notices, community_names=names, can_manage=can_manage, now=utcnow()
    )


@get("/notices/new", name="notices:new")
async def notice_new(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """An empty form for a new notice."""
    ctx.require("notices", "manage")
    return await _form_page(request, ctx, values={"published_at": utcnow()}, errors={}, notice=None)


@post("/notices", name="notices:create", status_code=200)
async def notice_create(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Publish a notice, or show the form again with what is wrong."""
    ctx.require("notices", "manage")
    assert ctx.district is not None
    assert ctx.user is not None
    clean, errors = await service.validate(ctx.session, ctx.district, ctx.host, data)
    if clean is None:
        return await _form_page(request, ctx, values=data, errors=errors, notice=None)
    notice = await service.create_notice(ctx.session, clean, created_by=ctx.user.id)
    return await redirect(request, ctx, ctx.url(f"/notices/{notice.id}"))


@get("/notices/{notice_id:int}", name="notices:detail")
async def notice_detail(request: Request[Any, Any, Any], ctx: RequestContext, notice_id: int) -> Response[Any]:
    """One notice in full."""
    ctx.require("notices", "view")
    notice = await _notice_or_404(ctx, notice_id)
    names = {unit.id: unit.name(ctx.locale) for unit in await service.communities(ctx.session)}
    return await page(
        request,
        ctx,
        "notices/detail.html",
        notice=notice,
        community=names.get(notice.org_unit_id or 0, ""),
        can_manage=ctx.can("notices", "manage"),
        now=utcnow(),
    )


@get("/notices/{notice_id:int}/edit", name="notices:edit")
async def notice_edit(request: Request[Any, Any, Any], ctx: RequestContext, notice_id: int) -> Response[Any]:
    """The form filled with the notice."""
    ctx.require("notices", "manage")
    notice = await _notice_or_404(ctx, notice_id)
    return await _form_page(request, ctx, values=service.values_of(notice), errors={}, notice=notice)


@post("/notices/{notice_id:int}", name="notices:update", status_code=200)
async def notice_update(
    request: Request[Any, Any, Any], ctx: RequestContext, notice_id: int, data: Form
) -> Response[Any]:
    """Save the edited notice, or show the form again with what is wrong."""
    ctx.require("notices", "manage")
    assert ctx.district is not None
    notice = await _notice_or_404(ctx, notice_id)
    clean, errors = await service.validate(ctx.session, ctx.district, ctx.host, data, notice=notice)
    if clean is None:
        return await _form_page(request, ctx, values=data, errors=errors, notice=notice)
    service.update_notice(notice, clean)
    await ctx.session.flush()
    return await redirect(request, ctx, ctx.url(f"/notices/{notice.id}"))


@post("/notices/{notice_id:int}/delete", name="notices:delete", status_code=200)
async def notice_delete(request: Request[Any, Any, Any], ctx: RequestContext, notice_id: int) -> Response[Any]:
    """Delete a notice and go back to the list."""
    ctx.require("notices", "manage")
    notice = await _notice_or_404(ctx, notice_id)
    await ctx.session.delete(notice)
    await ctx.session.flush()
    return await redirect(request, ctx, ctx.url("/notices"))


@get("/notices", name="notices:public")
async def public_list(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The notices marked public, for anyone (mounted under ``/d/{district}/public/``, no login)."""
    return await page(request, ctx, "notices/public.html", notices=await service.public_notices(ctx.session))


ROUTES = [notice_list, notice_new, notice_create, notice_detail, notice_edit, notice_update, notice_delete]
OPEN_ROUTES = [public_list]
