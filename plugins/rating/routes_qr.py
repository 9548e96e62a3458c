"""The QR code of a delivery's rating link (registered by one line at the end of ``routes.py``):

- ``/rating/deliveries/{id}/qr``       a card to print: the code, the organization, the service, how to rate
- ``/rating/deliveries/{id}/qr.png``   the code as PNG (to print or send); ``qr.svg`` as SVG
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from core.plugin_api import TIMEZONE, RequestContext, deliveries, organizations, page
from plugins.rating import qr
from plugins.rating.manifest import KEY

__all__ = ("QR_ROUTES",)


def _base(request: Request[Any, Any, Any]) -> str:
    return str(request.base_url)


@get("/rating/deliveries/{delivery_id:int}/qr", name="rating:qr_card")
async def qr_card(request: Request[Any, Any, Any], ctx: RequestContext, delivery_id: int) -> Response[Any]:
    """A printable card with the QR code of the delivery's rating link (staff)."""
    ctx.require(KEY, "manage")
    assert ctx.district is not None
    delivery, link = await qr.link_for(ctx, _base(request), delivery_id)
    org = await organizations.get_organization(ctx.session, ctx.district, delivery.organization_id)
    resident = (await deliveries.residents_of(ctx.session, [delivery]))[delivery.id]
    return await page(
        request,
        ctx,
        "rating/qr_card.html",
        delivery=delivery,
        organization=org,
        resident=resident,
        when=delivery.delivered_at.astimezone(TIMEZONE).strftime("%Y-%m-%d %H:%M"),
        link=link,
        code=qr.svg(link, inline=True),
    )


@get("/rating/deliveries/{delivery_id:int}/qr.png", name="rating:qr_png", media_type="image/png")
async def qr_png(request: Request[Any, Any, Any], ctx: RequestContext, delivery_id: int) -> Response[bytes]:
    """The rating link's QR code as PNG (staff)."""
    ctx.require(KEY, "manage")
    _delivery, link = await qr.link_for(ctx, _base(request), delivery_id)
    return Response(
        qr.png(link),
        media_type="image/png",
        headers={"Content-Disposition": f'inline; filename="rating-qr-{delivery_id}.png"'},
    )


@get("/rating/deliveries/{delivery_id:int}/qr.svg", name="rating:qr_svg", media_type="image/svg+xml")
async def qr_svg(request: Request[Any, Any, Any], ctx: RequestContext, delivery_id: int) -> Response[str]:
    """The rating link's QR code as SVG (staff)."""
    ctx.require(KEY, "manage")
    _delivery, link = await qr.link_for(ctx, _base(request), delivery_id)
    return Response(
        qr.svg(link),
        media_type="image/svg+xml",
        headers={"Content-Disposition": f'inline; filename="rating-qr-{delivery_id}.svg"'},
    )


QR_ROUTES = [qr_card, qr_png, qr_svg]
