"""Assembling the API: the core's resources, then each plugin's under its district prefix."""

from __future__ import annotations

from typing import Any

from litestar import Router

from core.web.context import district_guard, login_required_guard

__all__ = ("api_router", "plugin_api_router")

API_PREFIX = "/api/v1"


def api_router() -> Router:
    """The core's API routes (``/api/v1/...``)."""
    from core.api.resources import DISTRICT_API, GLOBAL_API  # noqa: PLC0415

    return Router(
        path=API_PREFIX,
        route_handlers=[
            *GLOBAL_API,
            Router(path="/districts/{district_code:str}", route_handlers=DISTRICT_API, guards=[district_guard]),
        ],
        guards=[login_required_guard],
        tags=["core"],
    )


def plugin_api_router(key: str, handlers: list[Any]) -> Router:
    """A plugin's API handlers under ``/api/v1/districts/{code}/``, 404 where it is disabled."""
    return Router(
        path=f"{API_PREFIX}/districts/{{district_code:str}}",
        route_handlers=handlers,
        guards=[district_guard],
        opt={"plugin": key},
        tags=[key],
    )
