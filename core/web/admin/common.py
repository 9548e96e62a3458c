"""What the admin pages share: reading forms, form state, notices, error statuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from litestar.exceptions import NotFoundException
from litestar.response import Redirect

from core.auth.sessions import COOKIE_NAME, pop_flash, push_flash
from core.web.pages import page

if TYPE_CHECKING:
    from jinja2_fragments.litestar import HTMXBlockTemplate
    from litestar import Request
    from litestar.datastructures import FormMultiDict

    from core.services import ServiceError
    from core.web.context import RequestContext

__all__ = ("FormState", "done", "error_status", "form_of", "int_or_none", "render", "service_failure")


@dataclass
class FormState:
    """What the user typed into one form, and the message for each field in error."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str, default: Any = "") -> Any:
        """The typed value of ``name`` (or ``default``)."""
        return self.values.get(name, default)


async def form_of(request: Request[Any, Any, Any]) -> FormMultiDict:
    """The submitted form (URL-encoded or multipart)."""
    return await request.form()


def int_or_none(value: Any) -> int | None:
    """``int(value)``, or ``None`` for empty or non-numeric input."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """An htmx request that swaps a part of the page."""
    return request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"


def error_status(request: Request[Any, Any, Any], exc: ServiceError | None = None) -> int:
    """A page re-rendered with errors: 200 for htmx (so it swaps), else 400/409."""
    if is_htmx(request):
        return 200
    return exc.status_code if exc is not None else 400


def service_failure(exc: ServiceError) -> None:
    """A :class:`NotFoundError` becomes the usual 404 page (never says what exists elsewhere)."""
    if exc.status_code == 404:
        raise NotFoundException(exc.message) from exc


async def done(request: Request[Any, Any, Any], ctx: RequestContext, url: str, message: str) -> Redirect:
    """After a change: keep ``message`` for the next page and go to ``url`` (303)."""
    await push_flash(ctx.session, request.cookies.get(COOKIE_NAME), message)
    return Redirect(url, status_code=303)


async def render(
    request: Request[Any, Any, Any], ctx: RequestContext, template: str, *, status_code: int = 200, **context: Any
) -> HTMXBlockTemplate:
    """Render an admin page with the notices kept for it."""
    flashes = await pop_flash(ctx.session, request.cookies.get(COOKIE_NAME))
    return await page(request, ctx, template, status_code=status_code, flashes=flashes, **context)
