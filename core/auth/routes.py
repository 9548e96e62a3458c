"""Login and logout pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Template
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.auth.passwords import hash_password, needs_rehash, verify_password
from core.auth.sessions import COOKIE_NAME, create_session, destroy_session
from core.auth.throttle import clear_failures, minutes_locked, record_failure
from core.i18n import gettext
from core.models import User
from core.web.safety import safe_next

__all__ = ("AUTH_ROUTES",)

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _client_ip(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


def _login_page(request: Request[Any, Any, Any], *, error: str = "", username: str = "", status: int = 200) -> Template:
    return Template(
        "core/login.html",
        context={
            "error": error,
            "username": username,
            "next": safe_next(request.query_params.get("next")) if request.method == "GET" else username and "",
            "csrf": request.scope["auth"]["csrf_token"],  # type: ignore[typeddict-item]
        },
        status_code=status,
    )


@get("/login", include_in_schema=False)
async def login_page(request: Request[Any, Any, Any]) -> Template | Redirect:
    """The login form (a logged-in user goes home)."""
    if request.scope.get("user") is not None:  # type: ignore[call-overload]
        return Redirect(safe_next(request.query_params.get("next")), status_code=303)
    return _login_page(request)


@post("/login", include_in_schema=False)
async def login(request: Request[Any, Any, Any], data: Form, db_session: AsyncSession) -> Response[Any]:
    """Check the password, throttle failures, rotate the session id, go to ``next``."""
    settings = request.app.state.settings
    username = (data.get("username") or "").strip()
    password = data.get("password") or ""
    ip = _client_ip(request)
    nxt = safe_next(data.get("next"))
    context_next = {"next": nxt}

    def fail(message: str, status: int) -> Template:
        page = _login_page(request, error=message, username=username, status=status)
        page.context.update(context_next)
        return page

    if not username or not password:
        return fail(gettext("Enter your username and password."), 400)
    wait = await minutes_locked(db_session, settings, username, ip)
    if wait:
        return fail(
            gettext("Too many failed logins. Try again in %(minutes)s minutes.", minutes=wait), 429
        )
    user = (
        await db_session.execute(select(User).where(func.lower(User.username) == username.lower()))
    ).scalar_one_or_none()
    # Always run one argon2 verification (a dummy hash for an unknown user), and answer
    # every failure with the same message: neither the text nor the time tells whether
    # the username exists.
    password_ok = verify_password(user.password_hash if user is not None else None, password)
    if user is None or not user.is_active or not password_ok:
        await record_failure(db_session, username, ip, settings)
        await db_session.commit()
        return fail(gettext("Wrong username or password."), 400)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    await clear_failures(db_session, username)
    old = request.cookies.get(COOKIE_NAME)
    if old:
        await destroy_session(db_session, old)
    # A new id at every login (session fixation): the old cookie value dies here.
    raw, _row = await create_session(db_session, user.id, settings.session_max_age)
    response = Redirect(nxt, status_code=303)
    response.set_cookie(
        COOKIE_NAME, raw, max_age=settings.session_max_age, httponly=True, samesite="lax",
        secure=settings.secure_cookies, path="/",
    )
    return response


@get("/logout", include_in_schema=False)
async def logout_page(request: Request[Any, Any, Any]) -> Template:
    """A page with the logout button (logging out changes state, so it is a POST)."""
    return Template(
        "core/logout.html",
        context={"csrf": request.scope["auth"]["csrf_token"], "user": request.scope.get("user")},  # type: ignore[typeddict-item]
    )


@post("/logout", include_in_schema=False, status_code=303)
async def logout(request: Request[Any, Any, Any], db_session: AsyncSession) -> Redirect:
    """End the session and go to the login page."""
    raw = request.cookies.get(COOKIE_NAME)
    if raw:
        await destroy_session(db_session, raw)
    response = Redirect("/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


AUTH_ROUTES = [login_page, login, logout_page, logout]
