"""A district's public pages: what anyone may read without logging in.

The core mounts them under ``/d/{district_code}/public/`` behind :func:`core.web.context.public_guard`
(no login; the district must exist; a plugin's pages only where it is enabled). The index
lists the links every enabled plugin gives through the ``public_pages`` hook, and how to
register as a resident.
"""

from __future__ import annotations

from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request, get

from core.context import RequestContext
from core.i18n import gettext as _
from core.plugins.asyncio import call_hook, flatten
from core.plugins.manifest import NavItem
from core.web.pages import page

__all__ = ("PUBLIC_ROUTES", "public_links")


async def public_links(ctx: RequestContext) -> list[NavItem]:
    """Every enabled plugin's public pages for this district, in ``(order, label)`` order."""
    items = flatten(await call_hook(ctx.hooks.public_pages, ctx=ctx))
    return sorted(items, key=lambda i: (i.order, i.label))


@get("/", name="public_index", include_in_schema=False)
async def public_index(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate:
    """The district's public index: its public pages, and how to register or log in."""
    assert ctx.district is not None
    return await page(
        request,
        ctx,
        "core/public/index.html",
        links=await public_links(ctx),
        register_url=f"/register?district={ctx.district.code}",
        title=_("%(district)s: public information", district=ctx.district.name(ctx.locale)),
    )


PUBLIC_ROUTES = [public_index]
