"""Which kind of request htmx sent, from Litestar's htmx request details (``request.htmx``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from litestar.plugins.htmx import HTMXDetails

if TYPE_CHECKING:
    from litestar import Request

__all__ = ("is_fragment", "is_htmx")


def _htmx(request: Request[Any, Any, Any]) -> HTMXDetails:
    details = getattr(request, "htmx", None)  # set by Litestar's HTMXPlugin (HTMXRequest)
    return details if isinstance(details, HTMXDetails) else HTMXDetails(request)


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """Any request sent by htmx, boosted links and forms included (it follows ``HX-Redirect``)."""
    return bool(_htmx(request))


def is_fragment(request: Request[Any, Any, Any]) -> bool:
    """An htmx request that swaps part of the page: it gets a block, not the whole page.

    A boosted link or form (``HX-Boosted``) replaces the whole body, so it gets the full page.
    """
    details = _htmx(request)
    return bool(details) and not details.boosted
