"""Web pages: ``/d/{district}/one_window``, the list of items and the form to add one.

A normal load gets the whole page; htmx gets only the block it asked for (the core's
``page()`` renders the named block through jinja2-fragments). The form posts through
htmx and gets back the list block; without JavaScript the post answers with a redirect
(or the page again, status 400, with the errors next to the fields).
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect

from core.plugin_api import RequestContext, page

from plugins.one_window import service
from plugins.one_window.manifest import KEY, MANIFEST

__all__ = ("ROUTES",)

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _is_htmx(request: Request[Any, Any, Any]) -> bool:
    return request.headers.get("hx-request") == "true"


async def _page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    block: str = "content",
    form: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response[Any]:
    assert ctx.district is not None
    return await page(
        request,
        ctx,
        "one_window/index.html",
        block=block,
        status_code=status_code,
        title=MANIFEST.name(ctx.locale),
        plugin_key=KEY,
        intro=await service.intro(ctx.session, ctx.district, ctx.host),
        items=await service.list_items(ctx.session),
        can_manage=ctx.can(KEY, "manage"),
        form=form or {"title": "", "note": ""},
        errors=errors or {},
    )


@get("/one_window", name="one_window:index")
async def index(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """The district's items, newest first, and the form to add one (for managers)."""
    ctx.require(KEY, "view")
    return await _page(request, ctx)


@post("/one_window", name="one_window:add", status_code=200)
async def add(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Response[Any]:
    """Add an item; htmx gets the form and list block back, a plain post a redirect."""
    ctx.require(KEY, "manage")
    assert ctx.district is not None
    assert ctx.user is not None
    values, errors = service.validate(data)
    if values is None:
        # htmx swaps only 2xx answers, so the form with its errors comes back as 200 there.
        status = 200 if _is_htmx(request) else 400
        return await _page(request, ctx, block="items", form=dict(data), errors=errors, status_code=status)
    await service.add_item(ctx.session, ctx.district, values, created_by=ctx.user.id)
    if _is_htmx(request):
        return await _page(request, ctx, block="items")
    return Redirect(ctx.url("/one_window"), status_code=303)


ROUTES = [index, add]
