"""The district's home dashboard, built from every enabled plugin's widgets."""

from __future__ import annotations

from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request, get

from core.context import RequestContext
from core.plugins.asyncio import call_hook, flatten
from core.web.pages import page

__all__ = ("dashboard",)


@get("/", name="dashboard", include_in_schema=False)
async def dashboard(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate:
    """Widgets the user may see, ordered; each plugin renders its own fragment."""
    ctx.require("dashboard", "view")
    widgets = flatten(await call_hook(ctx.hooks.dashboard_widgets, ctx=ctx))
    widgets.sort(key=lambda w: (w.order, w.title))
    return await page(request, ctx, "core/dashboard.html", widgets=widgets)
