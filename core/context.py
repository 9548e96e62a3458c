"""The acting context: who acts, in which district, with which plugins on.

A web request builds one (:mod:`core.web.context`), and so do the command line, jobs and
tests (:func:`context_for`). Services take it as their first argument: ``ctx.session``,
``ctx.district``, ``ctx.can(resource, action)``; templates get it as ``ctx``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.exceptions import PermissionDeniedException
from sqlalchemy import bindparam, select

from core.db import for_district
from core.i18n import current_locale, gettext
from core.models import District, Membership
from core.plugins.enabled import enabled_keys
from core.rbac import authorize, ensure_loaded

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.config import Settings
    from core.models import User
    from core.plugins import PluginHost
    from core.plugins.host import DistrictHooks

__all__ = ("RequestContext", "context_for", "enter_district", "load_memberships", "pending_message")


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


_MEMBERSHIPS = (  # built once, so its cache key is too
    select(Membership, District)
    .join(District, District.id == Membership.district_id)
    .where(Membership.user_id == bindparam("user_id"))
    .order_by(District.code)
)


async def load_memberships(ctx: RequestContext) -> None:
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


async def enter_district(ctx: RequestContext, district: District) -> None:
    """Make ``district`` the current one: scope the session to it, load its policies and enabled plugins."""
    ctx.district = district
    for_district(ctx.session, district.id)
    await ensure_loaded(ctx.session, district)
    ctx.enabled = await enabled_keys(ctx.session, district, ctx.host)


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
    await load_memberships(ctx)
    if district.id not in {d.id for d in ctx.districts}:
        ctx.districts.append(district)
    await enter_district(ctx, district)
    return ctx
