"""The published statements without login: ``/d/{district}/public/parking/estates/{id}/statements/{month}``.

Only what the treasurer published is shown (from the stored canonical content, with its
SHA-256), and the receipts of the expenses on a published statement. Drafts, requests
and names of residents never appear.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get

from core.plugin_api import NotFound, RequestContext, page
from core.plugin_api import gettext as _
from plugins.parking import money, service
from plugins.parking.routes_money import receipt_response, statement_context

__all__ = ("PUBLIC_MONEY_ROUTES", "published_index")


async def published_index(ctx: RequestContext) -> dict[int, list[Any]]:
    """Each estate's published statements, newest first (for the public parking page)."""
    return {e.id: await money.statements(ctx.session, e.id) for e in await service.list_estates(ctx.session)}


@get("/parking/estates/{estate_id:int}/statements/{month:str}", name="parking:public-statement")
async def public_statement(
    request: Request[Any, Any, Any], ctx: RequestContext, estate_id: int, month: str
) -> Response[Any]:
    """A published monthly statement: opening, every line with its source and receipt, closing, SHA-256."""
    estate = await service.estate_or_404(ctx.session, estate_id)
    try:
        first = money.parse_month(month)
    except money.Refused:
        raise NotFound(_("Not found.")) from None
    data = await statement_context(ctx, estate, first, drafts=False)
    if data is None:
        raise NotFound(_("This statement is not published."))
    base = f"/public/parking/estates/{estate.id}/statements/"
    return await page(request, ctx, "parking/money/statement.html", base=base, public=True, **data)


@get("/parking/estates/{estate_id:int}/receipts/{expense_id:int}", name="parking:public-receipt")
async def public_receipt(ctx: RequestContext, estate_id: int, expense_id: int) -> Response[Any]:
    """The receipt of an expense that is on a published statement."""
    estate = await service.estate_or_404(ctx.session, estate_id)
    expense = await money.receipt_public(ctx.session, estate.id, expense_id)
    if expense is None:
        raise NotFound(_("Not found."))
    return await receipt_response(ctx, expense)


PUBLIC_MONEY_ROUTES = [public_statement, public_receipt]
