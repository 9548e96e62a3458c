"""Errors as people see them: a page in their language, JSON for the API, a redirect to log in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotFoundException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from sqlalchemy.exc import DBAPIError

from core.db.engine import is_busy, is_unavailable
from core.db.transactions import mark_busy
from core.i18n import gettext
from core.refusal import Refusal
from core.web.htmx import is_htmx
from core.web.inputs import invalid

if TYPE_CHECKING:
    from litestar.types import ExceptionHandlersMap

__all__ = ("exception_handlers", "http_error", "wants_json")


def wants_json(request: Request[Any, Any, Any]) -> bool:
    """API paths and clients that ask for JSON get JSON errors."""
    return request.url.path.startswith(("/api/", "/schema")) or "application/json" in request.headers.get("accept", "")


def _csrf(request: Request[Any, Any, Any]) -> str:
    return str((request.scope.get("auth") or {}).get("csrf_token", ""))  # type: ignore[call-overload]


def _http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
    if wants_json(request):
        body: dict[str, Any] = {"status_code": status, "detail": detail}
        if getattr(exc, "extra", None):
            body["extra"] = exc.extra
        return Response(body, status_code=status, media_type=MediaType.JSON, headers=exc.headers or None)
    if status == 401:
        target = "/login?next=" + quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        if is_htmx(request):
            return Response("", status_code=200, headers={"HX-Redirect": target})
        return Redirect(target, status_code=303)
    titles = {403: gettext("Not allowed"), 404: gettext("Not found"), 409: gettext("Changed by someone else")}
    return Template(
        "core/error.html",
        context={
            "status": status,
            "title": titles.get(status, gettext("Error")),
            "detail": detail,
            "csrf": _csrf(request),
        },
        status_code=status,
        media_type=MediaType.HTML,
    )


http_error = _http_error


def _refusal(request: Request[Any, Any, Any], exc: Refusal) -> Response[Any]:
    """A refusal no page caught: its status with its message (JSON: and its errors by field); nothing was written."""
    detail = exc.lines()
    if wants_json(request):
        body: dict[str, Any] = {"status_code": exc.status_code, "detail": exc.text()}
        if exc.errors:
            body["errors"] = exc.errors
        return Response(body, status_code=exc.status_code, media_type=MediaType.JSON)
    titles = {403: gettext("Not allowed"), 404: gettext("Not found")}
    return Template(
        "core/error.html",
        context={
            "status": exc.status_code,
            "title": titles.get(exc.status_code, gettext("Error")),
            "detail": detail,
            "csrf": _csrf(request),
        },
        status_code=exc.status_code,
        media_type=MediaType.HTML,
    )


def _server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if is_unavailable(exc):  # a connection refused outside SQLAlchemy's wrapping (asyncpg's OSError)
        return _database_error(request, exc)
    request.logger.exception("unhandled error", exc_info=exc)
    detail = gettext("Something went wrong on the server; nothing was saved. Please try again.")
    if wants_json(request):
        return Response({"status_code": 500, "detail": detail}, status_code=HTTP_500_INTERNAL_SERVER_ERROR)
    return Template(
        "core/error.html",
        context={"status": 500, "title": gettext("Error"), "detail": detail, "csrf": _csrf(request)},
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        media_type=MediaType.HTML,
    )


def _database_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    unavailable = is_unavailable(exc)  # e.g. the primary died and a standby is being promoted
    if not unavailable and not is_busy(exc):
        return _server_error(request, exc)
    mark_busy(request.scope)  # a read that wrote after all is run again as a writer (core.db.transactions)
    request.logger.warning("database busy or unreachable, answered 503: %s", exc, exc_info=exc)
    detail = gettext("The server is busy; nothing was saved. Please try again in a moment.")
    if unavailable:
        detail = gettext("The database cannot be reached at the moment. Please try again.")
    headers = {"Retry-After": "2"}
    if wants_json(request):
        return Response({"status_code": 503, "detail": detail}, status_code=503, headers=headers)
    return Template(
        "core/error.html",
        context={"status": 503, "title": gettext("Error"), "detail": detail, "csrf": _csrf(request)},
        status_code=503,
        media_type=MediaType.HTML,
        headers=headers,
    )


def data_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A value the database cannot store (too big a number, a NUL byte, too long): 400, rolled back."""
    request.logger.info("refused a value the database cannot store: %s", exc)
    return http_error(request, invalid("body", gettext("A value is out of range or not allowed; nothing was saved.")))


def value_refused(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """A text too long for its column or holding NUL (:class:`core.db.limits.ValueRefused`): 400 naming the field."""
    field = str(getattr(exc, "field", "body"))
    limit = getattr(exc, "max_length", None)
    if limit:
        message = gettext("%(field)s: at most %(max)s characters.", field=field, max=limit)
    else:
        message = gettext("The text contains a NUL character (\\0), which is not allowed.")
    return http_error(request, invalid(field, message))


def exception_handlers() -> ExceptionHandlersMap:
    """The app's exception handlers."""
    from sqlalchemy.exc import DataError  # noqa: PLC0415

    from core.db.limits import ValueRefused  # noqa: PLC0415

    return {
        HTTPException: _http_error,
        NotFoundException: _http_error,
        DBAPIError: _database_error,
        # A value the database cannot store (SQLite: int beyond 64 bits; PostgreSQL: out of range, NUL, too long).
        OverflowError: data_error,
        DataError: data_error,
        ValueRefused: value_refused,  # too long for its column, or NUL: refused the same way on SQLite
        Refusal: _refusal,
        HTTP_500_INTERNAL_SERVER_ERROR: _server_error,
    }
