"""The member's offers on the phone page: post an offer (category, communities, times, what) and withdraw one.

Both forms post with htmx and get back only the page's ``offers`` block: the list with a
notice, or the form again with the messages next to the fields and what was typed kept
(200 for htmx, which swaps no 4xx; 400 with the whole page for a plain form post).
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.exceptions import NotFoundException

from core.plugin_api import RequestContext, is_fragment, page, redirect
from core.plugin_api import gettext as _
from plugins.time_bank import banks, offers
from plugins.time_bank.manifest import KEY
from plugins.time_bank.routes_me import me_context

__all__ = ("OFFER_ROUTES",)

ME = "/time-bank"


async def _section(
    request: Request[Any, Any, Any],
    ctx: RequestContext,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    done: str = "",
) -> Response[Any]:
    """The ``offers`` block for htmx; otherwise the whole page (400 with the errors)."""
    assert ctx.user is not None
    section = await offers.offer_context(ctx.session, ctx.user.id, form, errors)
    if is_fragment(request):
        return await page(
            request,
            ctx,
            "time_bank/me.html",
            block="offers",
            offer_notice=done,
            fmt=banks.fmt,
            **section,
        )
    context = {**await me_context(ctx), **section}
    return await page(request, ctx, "time_bank/me.html", status_code=400, notices=[], **context)


@post(f"{ME}/offers", name="time_bank:offer_create", status_code=303)
async def offer_create(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Offer a service in a bank the user volunteers in; used to match needs to volunteers."""
    ctx.require(KEY, "use")
    assert ctx.user is not None
    form = await request.form()
    typed: dict[str, Any] = {
        "bank": str(form.get("bank") or ""),
        "category": str(form.get("category") or ""),
        "areas": [str(a) for a in form.getall("areas", [])],
        "availability": [str(s) for s in form.getall("availability", [])],
        "description": str(form.get("description") or ""),
    }
    draft = await offers.check_offer(
        ctx.session,
        ctx.user.id,
        bank_id=typed["bank"],
        category=typed["category"],
        areas=typed["areas"],
        availability=typed["availability"],
        description=typed["description"],
    )
    if draft.errors:
        return await _section(request, ctx, form=typed, errors=draft.errors)
    await offers.create_offers(ctx.session, ctx.user.id, draft)
    done = _("Your offer is saved; needs that fit it come first on your page.")
    if is_fragment(request):
        return await _section(request, ctx, done=done)
    return await redirect(request, ctx, ctx.url(ME), done)


@post(f"{ME}/offers/{{offer_id:int}}/withdraw", name="time_bank:offer_withdraw", status_code=303)
async def offer_withdraw(request: Request[Any, Any, Any], ctx: RequestContext, offer_id: int) -> Response[Any]:
    """Withdraw one of the user's own offers (kept, no longer matched)."""
    ctx.require(KEY, "use")
    assert ctx.user is not None
    if await offers.withdraw_offer(ctx.session, ctx.user.id, offer_id) is None:
        raise NotFoundException(_("No such offer."))
    done = _("Your offer is withdrawn.")
    if is_fragment(request):
        return await _section(request, ctx, done=done)
    return await redirect(request, ctx, ctx.url(ME), done)


OFFER_ROUTES = [offer_create, offer_withdraw]
