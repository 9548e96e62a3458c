"""What the admin pages share: reading forms, form state, notices, error statuses."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.exceptions import NotFoundException
from litestar.response import Redirect

from core.web.pages import FormState, error_status, flash, flashes, is_fragment, page

if TYPE_CHECKING:
    from jinja2_fragments.litestar import HTMXBlockTemplate
    from litestar import Request
    from litestar.datastructures import FormMultiDict

    from core.context import RequestContext
    from core.refusal import ServiceError

__all__ = (
    "FormState",
    "done",
    "error_status",
    "form_of",
    "int_or_none",
    "is_fragment",
    "render",
    "service_failure",
)


async def form_of(request: Request[Any, Any, Any]) -> FormMultiDict:
    """The submitted form (URL-encoded or multipart)."""
    return await request.form()


def int_or_none(value: Any) -> int | None:
    """``int(value)``, or ``None`` for empty or non-numeric input."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def service_failure(exc: ServiceError) -> None:
    """A :class:`NotFoundError` becomes the usual 404 page (never says what exists elsewhere)."""
    if exc.status_code == 404:
        raise NotFoundException(exc.message) from exc


async def done(request: Request[Any, Any, Any], ctx: RequestContext, url: str, message: str) -> Redirect:
    """After a change: keep ``message`` for the next page and go to ``url`` (303)."""
    await flash(request, ctx, message)
    return Redirect(url, status_code=303)


async def render(
    request: Request[Any, Any, Any], ctx: RequestContext, template: str, *, status_code: int = 200, **context: Any
) -> HTMXBlockTemplate:
    """Render an admin page with the notices kept for it."""
    return await page(request, ctx, template, status_code=status_code, flashes=await flashes(request, ctx), **context)
