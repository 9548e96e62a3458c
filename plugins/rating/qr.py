"""The QR code of a delivery's rating link, for staff to print or show on a screen (drawn by ``segno``).

The code holds the absolute URL of the phone page ``/d/{district}/rating/r/{token}``: scanning it
opens the page without a login. Only a delivery that can still be rated (completed, verified,
not rated yet) has one; otherwise the request is refused with 409 and the reason.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from core.plugin_api import Refusal, deliveries
from plugins.rating import service

if TYPE_CHECKING:
    import segno

    from core.plugin_api import RequestContext

__all__ = ("link_for", "png", "svg")

PNG_SCALE, BORDER = 10, 4  # 10 px a module, the standard quiet zone of 4 modules: ~450 px, prints sharp at 4 cm


async def link_for(ctx: RequestContext, base_url: str, delivery_id: int) -> tuple[deliveries.ServiceDelivery, str]:
    """The delivery and the absolute URL of its rating page; 404 unknown, 409 when it cannot be rated now."""
    delivery = await deliveries.get_delivery(ctx.session, delivery_id)
    if not delivery.is_rateable:
        raise Refusal(
            "这次服务尚未完成核实或已取消，不能评价", "This service is not verified or was cancelled", status_code=409
        )
    if await service.rating_for_delivery(ctx.session, delivery.id) is not None:
        raise Refusal("这次服务已经评价过了（一次一评）", "This service has been rated already", status_code=409)
    return delivery, base_url.rstrip("/") + ctx.url(f"/rating/r/{service.token_for(ctx, delivery.id)}")


def _code(url: str) -> segno.QRCode:
    import segno  # noqa: PLC0415

    return segno.make(url, error="m")


def png(url: str) -> bytes:
    """The URL as a black-on-white PNG with its quiet zone."""
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=PNG_SCALE, border=BORDER)
    return out.getvalue()


def svg(url: str, *, inline: bool = False) -> str:
    """The URL as SVG: a document (``inline`` False) or an element to put in a page (no size: CSS scales it)."""
    code = _code(url)
    if inline:
        return str(code.svg_inline(scale=4, omitsize=True, dark="#000", light="#fff"))
    out = io.BytesIO()
    code.save(out, kind="svg", scale=PNG_SCALE, border=BORDER, dark="#000", light="#fff")
    return out.getvalue().decode()
