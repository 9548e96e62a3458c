"""What every page shares: rendering (full load or htmx fragment), form state, redirect-after-post
with a one-time notice, and a service call whose refusal becomes the page's errors.

Plugins reach these through :mod:`core.plugin_api`; see docs/plugins/api.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar.enums import MediaType, RequestEncodingType
from litestar.params import Body
from litestar.plugins.htmx import ClientRedirect
from litestar.response import Redirect, Response

from core.auth.sessions import COOKIE_NAME, pop_flash, push_flash
from core.plugins.asyncio import call_hook, flatten
from core.refusal import Forbidden, NotFound, Refusal
from core.web.htmx import is_fragment, is_htmx

if TYPE_CHECKING:
    from litestar import Request

    from core.context import RequestContext
    from core.plugins.manifest import NavItem

__all__ = (
    "Form",
    "FormState",
    "act",
    "attempt",
    "error_status",
    "flash",
    "flashes",
    "inline_file",
    "is_fragment",
    "is_htmx",
    "nav_for",
    "page",
    "redirect",
)

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
"""A URL-encoded form body as a handler parameter: ``data: Form``."""


@dataclass
class FormState:
    """What the user typed into one form, and the message for each field in error (``"_"``: the form)."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    status_code: int = 400
    """The HTTP status a full page with these errors answers (a refusal's own: 404, 409 …)."""

    def value(self, name: str, default: Any = "") -> Any:
        """The typed value of ``name`` (or ``default``)."""
        return self.values.get(name, default)

    def error(self, name: str) -> str:
        """The message for ``name`` ("" when it is fine)."""
        return self.errors.get(name, "")

    @property
    def ok(self) -> bool:
        """No field is in error."""
        return not self.errors

    def refuse(self, exc: Refusal, locale: str | None = None) -> None:
        """Put a refusal's messages on the fields it names (its message on ``"_"`` when it names none)."""
        self.errors.update(exc.errors or {"_": exc.text(locale)})
        self.status_code = exc.status_code


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

    A fragment request (:func:`is_fragment`) gets just the named block, so the same
    handler serves the full page and its partial updates.
    """
    fragment = is_fragment(request)
    full_context = {"ctx": ctx, "request": request, **context}
    if not fragment or block is None:
        full_context["nav"] = await nav_for(ctx)
    return HTMXBlockTemplate(
        template_name=template,
        block_name=block if fragment else None,
        context=full_context,
        status_code=status_code,
        # A handler annotated ``-> Any`` defaults to JSON: the page says what it is itself.
        media_type=MediaType.HTML,
    )


async def flash(request: Request[Any, Any, Any], ctx: RequestContext, message: str) -> None:
    """Keep a one-time notice for the next page the user sees (e.g. "已保存")."""
    await push_flash(ctx.session, request.cookies.get(COOKIE_NAME), message)


async def flashes(request: Request[Any, Any, Any], ctx: RequestContext) -> list[str]:
    """The one-time notices kept for this page (each is shown once)."""
    return await pop_flash(ctx.session, request.cookies.get(COOKIE_NAME))


async def redirect(
    request: Request[Any, Any, Any], ctx: RequestContext | None, url: str, message: str = ""
) -> Response[Any]:
    """After a change: keep ``message`` (if any) for the next page and go to ``url``.

    htmx follows ``HX-Redirect``; a plain form post gets a 303.
    """
    if message and ctx is not None:
        await flash(request, ctx, message)
    if is_htmx(request):
        return ClientRedirect(url)
    return Redirect(url, status_code=303)


async def attempt(ctx: RequestContext, action: Callable[[], Awaitable[Any]], state: FormState) -> Any:
    """Run a service call; on a :class:`~core.refusal.Refusal` undo what it wrote and put its messages in ``state``.

    Returns the call's result, or ``None`` when it was refused (then ``state.ok`` is false)::

        state = FormState(values=dict(data))
        bank = await attempt(ctx, lambda: create_bank(ctx, **data), state)
        if not state.ok:
            return await page(request, ctx, "my/form.html", form=state, status_code=error_status(request, state))
        return await redirect(request, ctx, f"/d/{ctx.district.code}/bank", _("Saved."))
    """
    try:
        async with ctx.session.begin_nested():  # a refusal undoes only what the action wrote
            return await action()
    except (Forbidden, NotFound):
        raise  # not the form's fault: the 403/404 page
    except Refusal as exc:
        state.refuse(exc, ctx.locale)
        return None


def error_status(request: Request[Any, Any, Any], refused: FormState | Refusal | None = None) -> int:
    """The status of a page re-rendered with errors: 200 for an htmx fragment (so htmx swaps it), else 4xx."""
    if is_fragment(request):
        return 200
    return refused.status_code if refused is not None else 400


async def act(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    back: str,
    action: Callable[[], Awaitable[Any]],
    done: str = "",
) -> Response[Any]:
    """Run ``action`` and go back to ``back`` with a notice: its refusal (nothing written), or ``done``.

    ``done`` may name the action's result: ``"{result.reference} saved"``.
    """
    try:
        async with ctx.session.begin_nested():  # a refusal undoes only what the action wrote
            result = await action()
    except (Forbidden, NotFound):
        raise  # the 403/404 page, not a notice
    except Refusal as exc:
        return await redirect(request, ctx, back, exc.lines(ctx.locale))
    message = done.format(result=result) if "{result" in done else done
    return await redirect(request, ctx, back, message)


def inline_file(content: bytes, content_type: str, filename: str) -> Response[bytes]:
    """A stored file answered to open in the browser (a photo or PDF shows in the tab), under ``filename``.

    The name may be Chinese (RFC 6266's ``filename*``); ``nosniff`` keeps the browser to the
    content type the upload was checked as (core.filetypes).
    """
    return Response(
        content,
        media_type=content_type,
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(filename)}",
            "X-Content-Type-Options": "nosniff",
        },
    )
