"""Rendering a page of the shell: full load, or only its block for htmx."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar.enums import MediaType

from core.plugins.asyncio import call_hook, flatten

if TYPE_CHECKING:
    from litestar import Request

    from core.plugins.manifest import NavItem
    from core.web.context import RequestContext

__all__ = ("nav_for", "page")


async def nav_for(ctx: RequestContext) -> dict[str, list[NavItem]]:
    """Navigation from every enabled plugin, minus links the user may not open, by group."""
    if ctx.district is None or ctx.user is None:
        return {}
    items = flatten(await call_hook(ctx.hooks.nav_items, ctx=ctx))
    groups: dict[str, list[NavItem]] = {}
    for item in sorted(items, key=lambda i: (i.order, i.label)):
        if item.permission is None or ctx.can(*item.permission):
            groups.setdefault(item.group, []).append(item)
    return groups


async def page(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    template: str,
    *,
    block: str | None = "content",
    status_code: int = 200,
    **context: Any,
) -> HTMXBlockTemplate:
    """Render ``template``; for an htmx request that targets the main area, only ``block``.

    A fragment request (``HX-Request`` without ``HX-Boosted``) gets just the named block,
    so the same handler serves the full page and its partial updates.
    """
    htmx = request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"
    full_context = {"ctx": ctx, "request": request, **context}
    if not htmx or block is None:
        full_context["nav"] = await nav_for(ctx)
    return HTMXBlockTemplate(
        template_name=template,
        block_name=block if htmx else None,
        context=full_context,
        status_code=status_code,
        # A handler annotated ``-> Any`` defaults to JSON: the page says what it is itself.
        media_type=MediaType.HTML,
    )
