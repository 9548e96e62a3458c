"""The request's context (a :class:`core.context.RequestContext`) and the guards that need it.

Built once per request (by the first guard or dependency that asks) and kept in the
ASGI scope. Handlers declare ``ctx: RequestContext``; templates get it as ``ctx``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from litestar.exceptions import NotAuthorizedException, NotFoundException
from sqlalchemy import select

from core.cases.reads import set_via
from core.context import RequestContext, context_for, enter_district, load_memberships, pending_message
from core.i18n import current_locale, gettext
from core.models import District

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers import BaseRouteHandler
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.models import User

__all__ = (
    "RequestContext",
    "context_for",
    "district_guard",
    "get_context",
    "login_required_guard",
    "pending_message",
    "provide_context",
    "public_guard",
)

_SCOPE_KEY = "sanshe_ctx"


async def get_context(connection: ASGIConnection[Any, Any, Any, Any]) -> RequestContext:
    """Build (once) and return the request's context."""
    cached = connection.scope.get(_SCOPE_KEY)  # type: ignore[call-overload]
    if cached is not None:
        return cast("RequestContext", cached)
    app_state = connection.app.state
    session: AsyncSession = app_state.db_config.provide_session(app_state, connection.scope)
    auth = connection.scope.get("auth") or {}  # type: ignore[call-overload]
    user: User | None = connection.scope.get("user")  # type: ignore[call-overload]
    ctx = RequestContext(
        session=session,
        settings=app_state.settings,
        host=app_state.plugin_host,
        user=user,
        locale=current_locale.get(),
        csrf_token=auth.get("csrf_token", ""),
        token_district_id=auth.get("token_district_id"),
    )
    if user is not None:
        await load_memberships(ctx)
    code = connection.path_params.get("district_code")
    if code is not None:
        await _enter_district(ctx, code, public=_is_public(connection))
    # How this request reads a sensitive case, for its read log (core.cases.reads).
    path = connection.scope.get("path", "")  # type: ignore[call-overload]
    set_via(ctx, "api" if path.startswith("/api/") else "fragment" if connection.headers.get("hx-request") else "page")
    connection.scope[_SCOPE_KEY] = ctx  # type: ignore[literal-required]
    return ctx


def _is_public(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    """A page open without a login (``opt={"public": True}``): the district's public pages, a rating link."""
    handler = connection.scope.get("route_handler")  # type: ignore[call-overload]
    return bool(handler is not None and handler.opt.get("public"))


async def _enter_district(ctx: RequestContext, code: str, *, public: bool = False) -> None:
    """Make ``code`` the current district, or answer 404: never reveal another district.

    A public plugin page enters any district by its code, for anyone (anonymous included).
    """
    district = next((d for d in ctx.districts if d.code == code), None)
    if district is None and public:
        district = (await ctx.session.execute(select(District).where(District.code == code))).scalar_one_or_none()
    if district is None:
        raise NotFoundException(gettext("Not found."))
    await enter_district(ctx, district)


async def public_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Public pages of a district: no login; the district must exist and the page's plugin be enabled there."""
    ctx = await get_context(connection)
    plugin = handler.opt.get("plugin")
    if plugin is not None and plugin not in ctx.enabled:
        raise NotFoundException(gettext("Not found."))


async def provide_context(request: Any) -> RequestContext:
    """Litestar dependency ``ctx``."""
    return await get_context(request)


async def login_required_guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """401 for anonymous requests (the web shell turns it into a redirect to the login page)."""
    if connection.scope.get("user") is None:  # type: ignore[call-overload]
        raise NotAuthorizedException(gettext("Please log in."))


async def district_guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Routes under a district: logged in, a member (or platform admin), plugin enabled there.

    A plugin handler marked ``opt={"public": True}`` needs no login and no membership (it
    must check everything itself, e.g. a signed token); the plugin must be enabled there.
    """
    if not (handler.opt.get("public") and handler.opt.get("plugin")):
        await login_required_guard(connection, handler)
    ctx = await get_context(connection)
    plugin = handler.opt.get("plugin")
    if plugin is not None and plugin not in ctx.enabled:
        raise NotFoundException(gettext("Not found."))
