"""Pages outside any district: home redirect, health check, language and district switch."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth.middleware import LANG_COOKIE
from core.context import RequestContext
from core.i18n import LOCALES, normalize
from core.web.context import login_required_guard
from core.web.safety import safe_next

__all__ = ("healthz", "home", "set_language", "switch_district")


@get("/healthz", include_in_schema=False, cache=False)
async def healthz(db_session: AsyncSession) -> Response[dict[str, str]]:
    """``{"status": "ok"}`` when the database answers; 503 otherwise."""
    try:
        await db_session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        return Response({"status": "error", "detail": "database unreachable"}, status_code=503)
    return Response({"status": "ok"})


@get("/", guards=[login_required_guard], include_in_schema=False)
async def home(ctx: RequestContext) -> Redirect:
    """Send the user to their first district (a platform admin with none: to the districts list)."""
    if ctx.districts:
        return Redirect(f"/d/{ctx.districts[0].code}/", status_code=303)
    if ctx.is_platform_admin:
        return Redirect("/admin/districts", status_code=303)
    return Redirect("/me", status_code=303)


@post("/lang", include_in_schema=False, status_code=303)
async def set_language(
    request: Request[Any, Any, Any],
    data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Redirect:
    """Switch the interface language (a cookie, and the user's preference when logged in)."""
    locale = normalize(data.get("lang"))
    if data.get("lang") not in LOCALES:
        locale = normalize(None)
    user = request.scope.get("user")
    if user is not None:
        ctx_session = request.app.state.db_config.provide_session(request.app.state, request.scope)
        db_user = await ctx_session.get(type(user), user.id)
        if db_user is not None:
            db_user.locale = locale
    response = Redirect(safe_next(data.get("next"), request.headers.get("referer")), status_code=303)
    response.set_cookie(LANG_COOKIE, locale, max_age=365 * 24 * 3600, httponly=True, samesite="lax", path="/")
    return response


@post("/switch-district", guards=[login_required_guard], include_in_schema=False, status_code=303)
async def switch_district(
    ctx: RequestContext, data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
) -> Redirect:
    """Go to another of the user's districts (the select in the header posts here)."""
    code = data.get("district", "")
    if any(d.code == code for d in ctx.districts):
        return Redirect(f"/d/{code}/", status_code=303)
    return Redirect("/", status_code=303)
