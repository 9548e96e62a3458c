"""The user's own account page at ``/me``: who they are, their password, their API tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request, get, post
from litestar.datastructures import CacheControlHeader
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect
from sqlalchemy import and_, select

from core.auth.admin import WeakPasswordError, set_password
from core.auth.passwords import verify_password
from core.auth.sessions import COOKIE_NAME, pop_flash, push_flash
from core.auth.throttle import minutes_locked, record_failure
from core.auth.tokens import NAME_MAX, create_token, list_tokens, revoke_token
from core.context import RequestContext
from core.i18n import gettext
from core.models import ApiToken, District, Membership, OrgUnit, Role, User
from core.web.context import login_required_guard
from core.web.pages import is_htmx, page

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ("PROFILE_ROUTES",)

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
TEMPLATE = "core/profile/index.html"
# Pages that may show a new token or echo typed passwords are never stored by caches.
NO_STORE = CacheControlHeader(no_store=True)
MAX_ACTIVE_TOKENS = 20


@dataclass
class MembershipRow:
    """One line of "my districts and roles"."""

    district: District
    role_key: str
    role_name: str
    org_unit: str


@dataclass
class ProfileForms:
    """What the two forms show again after an error: values and messages by field."""

    password_values: dict[str, str] = field(default_factory=dict)
    password_errors: dict[str, str] = field(default_factory=dict)
    token_values: dict[str, str] = field(default_factory=dict)
    token_errors: dict[str, str] = field(default_factory=dict)


def _user(ctx: RequestContext) -> User:
    assert ctx.user is not None
    return ctx.user


def _client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


async def _memberships(session: AsyncSession, user: User, locale: str) -> list[MembershipRow]:
    rows = await session.execute(
        select(Membership, District, Role, OrgUnit)
        .join(District, District.id == Membership.district_id)
        .outerjoin(Role, and_(Role.district_id == Membership.district_id, Role.key == Membership.role_key))
        .outerjoin(OrgUnit, OrgUnit.id == Membership.org_unit_id)
        .where(Membership.user_id == user.id)
        .order_by(District.code, Membership.role_key)
    )
    return [
        MembershipRow(
            district=district,
            role_key=membership.role_key,
            role_name=role.name(locale) if role is not None else membership.role_key,
            org_unit=unit.name(locale) if unit is not None else "",
        )
        for membership, district, role, unit in rows
    ]


def _token_districts(memberships: list[MembershipRow]) -> list[District]:
    """Districts a token may be made for: those where the user has a role."""
    seen: dict[int, District] = {}
    for row in memberships:
        seen.setdefault(row.district.id, row.district)
    return list(seen.values())


async def _render(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    forms: ProfileForms | None = None,
    new_token: str = "",
    new_token_name: str = "",
    token_notice: str = "",
    status_code: int = 200,
    block: str | None = "content",
) -> HTMXBlockTemplate:
    user = _user(ctx)
    # Notices kept for the next page are shown (and spent) only when the whole page renders.
    flashes = [] if block == "tokens" else await pop_flash(ctx.session, request.cookies.get(COOKIE_NAME))
    memberships = await _memberships(ctx.session, user, ctx.locale)
    return await page(
        request,
        ctx,
        TEMPLATE,
        block=block,
        status_code=status_code,
        account=user,
        memberships=memberships,
        token_districts=_token_districts(memberships),
        tokens=await list_tokens(ctx.session, user.id),
        forms=forms or ProfileForms(),
        new_token=new_token,
        new_token_name=new_token_name,
        token_notice=token_notice,
        flashes=flashes,
        name_max=NAME_MAX,
    )


@get("/me", guards=[login_required_guard], include_in_schema=False, cache_control=NO_STORE)
async def profile(request: Request[Any, Any, Any], ctx: RequestContext) -> HTMXBlockTemplate:
    """The profile page: the user, their districts and roles, password form, API tokens."""
    return await _render(request, ctx)


@post("/me/password", guards=[login_required_guard], include_in_schema=False, cache_control=NO_STORE)
async def change_password(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> Any:
    """Change one's own password; on success every other session of the user ends."""
    user = await ctx.session.get(User, _user(ctx).id)
    assert user is not None
    current = data.get("current_password") or ""
    new = data.get("new_password") or ""
    repeat = data.get("new_password_repeat") or ""
    forms = ProfileForms(
        password_values={"current_password": current, "new_password": new, "new_password_repeat": repeat}
    )
    errors = forms.password_errors
    ip = _client_ip(request)

    wait = await minutes_locked(ctx.session, ctx.settings, user.username, ip)
    if wait:
        errors["current_password"] = gettext("Too many failed logins. Try again in %(minutes)s minutes.", minutes=wait)
        return await _render(request, ctx, forms=forms, status_code=429)
    if not current:
        errors["current_password"] = gettext("Enter your current password.")
    elif not verify_password(user.password_hash, current):
        # A guessed current password counts like a failed login (same throttle).
        await record_failure(ctx.session, user.username, ip, ctx.settings)
        await ctx.session.commit()
        errors["current_password"] = gettext("The current password is wrong.")
        forms.password_values["current_password"] = ""
    if not new:
        errors["new_password"] = gettext("Enter a new password.")
    elif new != repeat:
        errors["new_password_repeat"] = gettext("The two new passwords are not the same.")
        forms.password_values["new_password_repeat"] = ""
    elif new == current and "current_password" not in errors:
        errors["new_password"] = gettext("The new password must differ from the current one.")
    if errors:
        return await _render(request, ctx, forms=forms, status_code=400)
    try:
        ended = await set_password(ctx.session, user, new, keep_session=request.cookies.get(COOKIE_NAME))
    except WeakPasswordError as exc:
        errors["new_password"] = exc.message
        forms.password_values["new_password"] = forms.password_values["new_password_repeat"] = ""
        return await _render(request, ctx, forms=forms, status_code=400)
    message = gettext("Your password has been changed.")
    if ended:
        message += " " + gettext("You have been logged out everywhere else (%(count)s sessions).", count=ended)
    await push_flash(ctx.session, request.cookies.get(COOKIE_NAME), message)
    return Redirect("/me", status_code=303)


@post("/me/tokens", guards=[login_required_guard], include_in_schema=False, cache_control=NO_STORE)
async def create_api_token(request: Request[Any, Any, Any], ctx: RequestContext, data: Form) -> HTMXBlockTemplate:
    """Create a personal API token for one of the user's districts; its value is shown once."""
    user = _user(ctx)
    name = (data.get("name") or "").strip()
    code = (data.get("district") or "").strip()
    forms = ProfileForms(token_values={"name": name, "district": code})
    errors = forms.token_errors
    if not name:
        errors["name"] = gettext("Give the token a name, e.g. where it will be used.")
    elif len(name) > NAME_MAX:
        errors["name"] = gettext("The name may have at most %(max)s characters.", max=NAME_MAX)
    districts = _token_districts(await _memberships(ctx.session, user, ctx.locale))
    district = next((d for d in districts if d.code == code), None)
    if district is None:
        errors["district"] = gettext("Choose one of your districts.")
    active = (
        await ctx.session.execute(select(ApiToken.id).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    ).all()
    if len(active) >= MAX_ACTIVE_TOKENS:
        errors["name"] = gettext("You already have %(max)s active tokens; revoke one first.", max=MAX_ACTIVE_TOKENS)
    if errors or district is None:
        return await _render(request, ctx, forms=forms, status_code=400)
    raw, _row = await create_token(ctx.session, user, district.id, name)
    return await _render(request, ctx, new_token=raw, new_token_name=name, status_code=201)


@post(
    "/me/tokens/{token_id:int}/revoke", guards=[login_required_guard], include_in_schema=False, cache_control=NO_STORE
)
async def revoke_api_token(request: Request[Any, Any, Any], ctx: RequestContext, token_id: int) -> Any:
    """Revoke one of the user's own tokens (someone else's answers 404)."""
    user = _user(ctx)
    token = await ctx.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFoundException(gettext("Not found."))
    revoked = await revoke_token(ctx.session, token)
    message = (
        gettext("The token “%(name)s” has been revoked.", name=token.name)
        if revoked
        else gettext("The token “%(name)s” was already revoked.", name=token.name)
    )
    if is_htmx(request):
        return await _render(request, ctx, block="tokens", token_notice=message)
    await push_flash(ctx.session, request.cookies.get(COOKIE_NAME), message)
    return Redirect("/me", status_code=303)


PROFILE_ROUTES = [profile, change_password, create_api_token, revoke_api_token]
