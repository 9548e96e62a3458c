"""Who is asking: session cookie or API token; CSRF on unsafe requests; the locale.

Sets ``scope["user"]`` (a :class:`~core.models.User` or ``None``) and ``scope["auth"]``
(``csrf_token``, ``session_id``, ``token_district_id``, ``kind``: ``"anonymous"``,
``"session"`` or ``"token"``) for everything downstream.

* A browser is known by its session cookie (see :mod:`core.auth.sessions`); an
  anonymous browser gets a CSRF token in its own cookie (double submit), so the login
  form is protected too.
* Every unsafe request (POST, PUT, PATCH, DELETE) must carry the CSRF token, in the
  ``X-CSRFToken`` header (htmx sends it from ``<body hx-headers>``) or the
  ``_csrf_token`` form field; otherwise 403 and the handler never runs.
* ``Authorization: Bearer sst_…`` authenticates API requests (``/api/…``) only; those
  need no CSRF token because browsers never add that header by themselves.
"""

from __future__ import annotations

import hmac
import html
import json
import secrets
from typing import TYPE_CHECKING, Any

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import RequestEncodingType
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.attributes import set_committed_value

from core.auth.sessions import COOKIE_NAME, has_flash, load_session_and_user, no_flash
from core.auth.tokens import lookup_token
from core.db.engine import is_busy, writes
from core.i18n import current_locale, gettext, normalize
from core.models import ApiToken, User

if TYPE_CHECKING:
    from litestar.types import ASGIApp, HTTPResponseBodyEvent, HTTPResponseStartEvent, Message, Receive, Scope, Send

__all__ = ("ANON_CSRF_COOKIE", "CSRF_FIELD", "CSRF_HEADER", "LANG_COOKIE", "auth_middleware", "plain_error")

CSRF_FIELD = "_csrf_token"
CSRF_HEADER = "x-csrftoken"
ANON_CSRF_COOKIE = "sanshe_csrf"
LANG_COOKIE = "sanshe_lang"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
SKIP_PREFIXES = ("/static/", "/healthz")
API_PREFIX = "/api/"


def _cookie_header(name: str, value: str, *, max_age: int | None, secure: bool) -> bytes:
    parts = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode()


async def _submitted_token(request: Any) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return str(header)
    content_type, _ = request.content_type
    if content_type in {RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART}:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


class _Refused(Exception):
    """The request is answered before the app runs (bad token)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def _identify(db: Any, request: Any, *, is_api: bool) -> tuple[User | None, dict[str, Any], str | None]:
    """Who is asking: ``(user, auth, new anonymous CSRF token or None)``; raises :class:`_Refused`."""
    user: User | None = None
    auth: dict[str, Any] = {"csrf_token": "", "session_id": None, "token_district_id": None, "kind": "anonymous"}
    new_anon_token: str | None = None
    bearer = request.headers.get("authorization", "")
    if bearer.lower().startswith("bearer "):
        if not is_api:
            raise _Refused(401, gettext("API tokens work only for /api/ addresses."))
        found = await lookup_token(db, bearer[7:].strip())
        if found is None:
            raise _Refused(401, gettext("The API token is invalid or revoked."))
        api_token, user = found
        auth.update(kind="token", token_district_id=api_token.district_id)
        if api_token in db.dirty and not writes.get():
            await _touch_apart(db, api_token, user)
        else:
            await db.commit()
        return user, auth, None
    raw = request.cookies.get(COOKIE_NAME)
    web_session, session_user = await load_session_and_user(db, raw) if raw else (None, None)
    if web_session is not None:
        auth.update(kind="session", csrf_token=web_session.csrf_token, session_id=raw)
        if not has_flash(web_session):
            auth["no_flash"] = raw
        elif not writes.get():
            # The page will take the notices out of the session (a write): on SQLite a read-only
            # request's transaction began deferred, and writing in it fails if another writer
            # committed meanwhile. End it; the rest of the request writes like a POST does.
            await db.commit()
            writes.set(True)  # reset by core.db.transactions when the request ends
        if web_session.user_id is not None:
            user = session_user
            if user is not None and not user.is_active:
                user = None
    if not auth["csrf_token"]:
        anon = request.cookies.get(ANON_CSRF_COOKIE, "")
        if len(anon) < 20:
            anon = new_anon_token = secrets.token_urlsafe(32)
        auth["csrf_token"] = anon
    return user, auth, new_anon_token


async def _touch_apart(db: Any, api_token: ApiToken, user: User) -> None:
    """Record a token's use from a read-only request: in a write transaction of its own (see ``writes``).

    Only a note of when the token was last used: when the database stays busy, it is skipped
    and the read goes on.
    """
    when = api_token.last_used_at
    set_committed_value(api_token, "last_used_at", when)  # nothing left to write in the read transaction
    await db.commit()
    token = writes.set(True)
    try:
        await db.execute(update(ApiToken).where(ApiToken.id == api_token.id).values(last_used_at=when))
        await db.commit()
    except DBAPIError as exc:
        if not is_busy(exc):
            raise
        writes.reset(token)
        await db.rollback()
        await db.refresh(user)
    else:
        writes.reset(token)


def auth_middleware(app: ASGIApp) -> ASGIApp:
    """ASGI middleware factory (see module docstring)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(SKIP_PREFIXES):
            await app(scope, receive, send)
            return
        litestar_app = scope["litestar_app"]
        state = litestar_app.state
        settings = state.settings
        request = litestar_app.request_class(scope=scope, receive=receive)
        # The request's own database session (the one handlers get; its auto-commit handler
        # ends it when the response starts): one connection and one transaction per request.
        db = state.db_config.provide_session(state, scope)
        try:
            await _authenticated(app, scope, receive, send, db, request, settings)
        finally:
            await db.close()  # a no-op when the response already closed it

    return middleware


async def _authenticated(
    app: ASGIApp, scope: Scope, receive: Receive, send: Send, db: Any, request: Any, settings: Any
) -> None:
    """Identify, check the CSRF token, and run the app with the user in the scope."""
    try:
        user, auth, new_anon_token = await _identify(db, request, is_api=scope["path"].startswith(API_PREFIX))
    except _Refused as refused:
        await plain_error(scope, receive, send, refused.status, refused.message)
        return

    # An API client may ask with Accept-Language (its first choice); pages follow the cookie and the profile.
    asked = request.headers.get("accept-language", "").split(",")[0].split(";")[0].strip()
    api_asks = asked if scope["path"].startswith(API_PREFIX) else ""
    lang = request.cookies.get(LANG_COOKIE) or api_asks or (user.locale if user else "") or settings.default_locale
    locale_token = current_locale.set(normalize(lang))
    flash_token = no_flash.set(auth.pop("no_flash", None))
    try:
        if request.method in UNSAFE and auth["kind"] != "token":
            submitted = await _submitted_token(request)
            if not submitted or not hmac.compare_digest(submitted.encode(), str(auth["csrf_token"]).encode()):
                message = gettext(
                    "The form has expired or the security token is missing. Reload the page and try again."
                )
                await plain_error(scope, receive, send, 403, message)
                return

        scope["user"] = user
        scope["auth"] = auth  # type: ignore[typeddict-unknown-key]

        async def send_wrapper(message: Message) -> None:
            if new_anon_token and message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                cookie = _cookie_header(ANON_CSRF_COOKIE, new_anon_token, max_age=None, secure=settings.secure_cookies)
                headers.add("set-cookie", cookie.decode())
            await send(message)

        await app(scope, receive, send_wrapper)
    finally:
        no_flash.reset(flash_token)
        current_locale.reset(locale_token)


def _error_page(status: int, message: str) -> str:
    """The refusal as a page in the user's language, with the app's styles and a way back."""
    lang = "en" if current_locale.get() == "en" else "zh-CN"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{status} · {html.escape(gettext('Sanshe'))}</title>"
        '<link rel="stylesheet" href="/static/vendor/pico.min.css"><link rel="stylesheet" href="/static/app.css">'
        f'</head><body><main class="container narrow"><article><h1>{status}</h1>'
        f'<p role="alert" data-error-detail>{html.escape(message)}</p>'
        f'<p><a href="/">{html.escape(gettext("Back to the start page"))}</a></p></article></main></body></html>'
    )


async def plain_error(
    scope: Scope, receive: Receive, send: Send, status: int, message: str, retry_after: int | None = None
) -> None:
    """Answer before the handler runs: JSON for the API, a small HTML page otherwise (never cached).

    htmx requests get the same page; ``app.js`` shows its ``[data-error-detail]`` text in
    the page's error banner, since htmx does not swap error responses.
    """
    if scope["path"].startswith("/api/"):
        body = json.dumps({"status_code": status, "detail": message}, ensure_ascii=False).encode()
        content_type = b"application/json"
    else:
        body = _error_page(status, message).encode()
        content_type = b"text/html; charset=utf-8"
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b'Bearer realm="sanshe"'))
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    start: HTTPResponseStartEvent = {"type": "http.response.start", "status": status, "headers": headers}
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": body, "more_body": False}
    await send(end)
