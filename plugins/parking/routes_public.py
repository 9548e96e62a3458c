"""The public transparency page of parking self-governance (no login): each estate's convention in force.

Mounted under ``/d/{district}/public/`` by the core (``register_public_routes``): what the
committee publishes to every resident — the convention adopted by the owners' vote, its
fees and rules, and the figures of that vote (how many owners and how much floor area took
part and agreed, against the Civil Code thresholds). Names of owners never appear.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from core.plugin_api import RequestContext, page
from plugins.parking import conventions, service
from plugins.parking.routes import page_helpers
from plugins.parking.routes_money import fen_formatter
from plugins.parking.routes_money_public import published_index


@get("/parking", name="parking:public")
async def public_parking(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Every estate with its convention in force (or a note that none is adopted yet) and its vote's figures."""
    estates = []
    for estate in await service.list_estates(ctx.session):
        view = await service.estate_view(ctx.session, estate, ctx.locale)
        convention = await conventions.adopted_convention(ctx.session, estate.id)
        tally = await conventions.tally(ctx.session, convention) if convention is not None else None
        estates.append((view, convention, tally))
    return await page(
        request,
        ctx,
        "parking/public.html",
        estates=estates,
        statements=await published_index(ctx),
        fen=fen_formatter(ctx),
        **page_helpers(ctx),
    )


PUBLIC_ROUTES = [public_parking]
