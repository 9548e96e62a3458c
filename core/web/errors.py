"""Errors as people see them: a page in their language, JSON for the API, a redirect to log in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotFoundException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from core.i18n import gettext
from core.refusal import Refusal
from core.web.htmx import is_htmx

if TYPE_CHECKING:
    from litestar.types import ExceptionHandlersMap

__all__ = ("exception_handlers", "wants_json")


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


def exception_handlers() -> ExceptionHandlersMap:
    """The app's exception handlers."""
    return {
        HTTPException: _http_error,
        NotFoundException: _http_error,
        Refusal: _refusal,
        HTTP_500_INTERNAL_SERVER_ERROR: _server_error,
    }
