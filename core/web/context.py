"""The request context: who is asking, in which district, with which plugins on.

Built once per request (by the first guard or dependency that asks) and kept in the
ASGI scope. Handlers declare ``ctx: RequestContext``; templates get it as ``ctx``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from sqlalchemy import bindparam, select

from core.cases.reads import set_via
from core.db import for_district
from core.i18n import current_locale, gettext
from core.models import District, Membership
from core.plugins.enablement import enabled_keys
from core.rbac import authorize, ensure_loaded

if TYPE_CHECKING:
    from litestar.connection import ASGIConnection
    from litestar.handlers import BaseRouteHandler
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.config import Settings
    from core.models import User
    from core.plugins import PluginHost
    from core.plugins.host import DistrictHooks

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


def pending_message() -> str:
    """What a resident whose registration is not yet confirmed is told when refused."""
    return gettext(
        "Your registration is waiting for a community worker to confirm it; "
        "until then you cannot file requests, support topics or vote."
    )


class RequestContext:
    """Everything a handler, a hook or a template needs to know about the request.

    A plain class, not a dataclass: Litestar would otherwise try to parse it as input.
    """

    def __init__(
        self,
        *,
        session: AsyncSession,
        settings: Settings,
        host: PluginHost,
        user: User | None,
        locale: str,
        csrf_token: str,
        token_district_id: int | None = None,
    ) -> None:
        self.session = session
        self.settings = settings
        self.host = host
        self.user = user
        self.locale = locale
        self.csrf_token = csrf_token
        self.token_district_id = token_district_id
        self.district: District | None = None
        self.districts: list[District] = []
        self.memberships: list[Membership] = []
        self.enabled: frozenset[str] = frozenset()
        self.extra: dict[str, Any] = {}

    @property
    def is_platform_admin(self) -> bool:
        return bool(self.user and self.user.is_platform_admin and self.token_district_id is None)

    @property
    def roles(self) -> set[str]:
        """The user's role keys in the current district."""
        if self.district is None:
            return set()
        return {m.role_key for m in self.memberships if m.district_id == self.district.id}

    @property
    def hooks(self) -> DistrictHooks:
        """Hook callers for the plugins enabled in this district."""
        return self.host.hooks_for(self.enabled)

    @property
    def pending(self) -> bool:
        """A self-registered resident whom no community worker has confirmed yet (no other role here)."""
        return self.roles == {"resident_pending"}

    def can(self, resource: str, action: str) -> bool:
        """Whether the user may do ``action`` on ``resource`` in the current district."""
        if self.user is None or self.district is None:
            return False
        return authorize(self.user, self.district, resource, action)

    def require(self, resource: str, action: str) -> None:
        """Raise 403 unless :meth:`can`."""
        if not self.can(resource, action):
            if self.pending:
                raise PermissionDeniedException(pending_message())
            raise PermissionDeniedException(gettext("You do not have permission to do this."))

    def url(self, path: str = "") -> str:
        """A URL inside the current district: ``ctx.url("/notices")`` → ``/d/haishu/notices``."""
        if self.district is None:
            return path or "/"
        return f"/d/{self.district.code}{path}"

    def t(self, message: str, **variables: object) -> str:
        """Translate ``message`` into the request's locale."""
        return gettext(message, **variables)


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
        await _load_memberships(ctx)
    code = connection.path_params.get("district_code")
    if code is not None:
        await _enter_district(ctx, code, public=_is_public(connection))
    # How this request reads a sensitive case, for its read log (core.cases.reads).
    path = connection.scope.get("path", "")  # type: ignore[call-overload]
    set_via(ctx, "api" if path.startswith("/api/") else "fragment" if connection.headers.get("hx-request") else "page")
    connection.scope[_SCOPE_KEY] = ctx  # type: ignore[literal-required]
    return ctx


_MEMBERSHIPS = (  # built once, so its cache key is too
    select(Membership, District)
    .join(District, District.id == Membership.district_id)
    .where(Membership.user_id == bindparam("user_id"))
    .order_by(District.code)
)


async def _load_memberships(ctx: RequestContext) -> None:
    assert ctx.user is not None
    rows = await ctx.session.execute(_MEMBERSHIPS, {"user_id": ctx.user.id})
    seen: dict[int, District] = {}
    for membership, district in rows:
        ctx.memberships.append(membership)
        seen[district.id] = district
    if ctx.user.is_platform_admin and ctx.token_district_id is None:
        all_districts = (await ctx.session.execute(select(District).order_by(District.code))).scalars()
        seen.update({d.id: d for d in all_districts})
    if ctx.token_district_id is not None:
        seen = {k: v for k, v in seen.items() if k == ctx.token_district_id}
    ctx.districts = sorted(seen.values(), key=lambda d: d.code)


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
    ctx.district = district
    for_district(ctx.session, district.id)
    await ensure_loaded(ctx.session, district)
    ctx.enabled = await enabled_keys(ctx.session, district, ctx.host)


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


async def context_for(
    session: AsyncSession,
    *,
    settings: Settings,
    host: PluginHost,
    user: User,
    district: District,
    locale: str | None = None,
) -> RequestContext:
    """A context for ``user`` in ``district`` outside a web request (CLI, jobs, tests)."""
    ctx = RequestContext(
        session=session, settings=settings, host=host, user=user, locale=locale or current_locale.get(), csrf_token=""
    )
    await _load_memberships(ctx)
    if district.id not in {d.id for d in ctx.districts}:
        ctx.districts.append(district)
    await _enter_district(ctx, district.code)
    return ctx
