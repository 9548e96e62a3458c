"""The public page of venture philanthropy (no login): the calls and the funded projects with their funders.

Mounted under ``/d/{district}/public/`` by the core (``register_public_routes``); shows only
what the field publishes — a call's rules and dates, and once its results are announced the
funded projects, their organization, award, co-funders, progress and any override's reason.
Applications that were not funded and every reviewer's score stay inside.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from sqlalchemy import select

from core.plugin_api import RequestContext, organizations, page
from plugins.grants import service
from plugins.grants.models import Application, Funder


@get("/grants", name="grants:public")
async def public_grants(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Calls with their phase; the funded projects of every call whose results are announced."""
    assert ctx.district is not None
    calls = await service.list_calls(ctx.session)
    announced = [c.id for c in calls if c.decided_at is not None]
    projects = list(
        (
            await ctx.session.execute(
                select(Application)
                .where(Application.call_id.in_(announced), Application.status.in_(("approved", "closed")))
                .order_by(Application.call_id.desc(), Application.award_fen.desc(), Application.id)
            )
        ).scalars()
    )
    funders: dict[int, list[Funder]] = {}
    for funder in (
        await ctx.session.execute(select(Funder).where(Funder.application_id.in_([p.id for p in projects])))
    ).scalars():
        funders.setdefault(funder.application_id, []).append(funder)
    org = organizations.Organization
    wanted = {p.organization_id for p in projects}
    names = dict((await ctx.session.execute(select(org.id, org.name).where(org.id.in_(wanted)))).tuples().all())
    return await page(
        request,
        ctx,
        "grants/public.html",
        calls=calls,
        phase=service.call_phase,
        projects=projects,
        funders=funders,
        org_names=names,
        call_titles={c.id: c.title for c in calls},
    )


@get("/grants/calls/{call_id:int}", name="grants:public-call")
async def public_call(request: Request[Any, Any, Any], ctx: RequestContext, call_id: int) -> Response[Any]:
    """One call for everyone: budget, categories, dates, who may apply and how; once the results are
    announced, its funded projects with their funders and progress (money paid in, reports accepted)."""
    from plugins.grants.public_call import call_page_data  # noqa: PLC0415

    call = await service.get_call(ctx.session, call_id)
    if call is None:
        from core.plugin_api import NotFound  # noqa: PLC0415

        raise NotFound("未找到。", "Not found.")
    # The apply button for a visitor (logging in leads on to the form) and for those who may apply, not for
    # other staff: the form would refuse them.
    can_apply = ctx.user is None or ctx.can("grants", "apply")
    return await page(request, ctx, "grants/public_call.html", can_apply=can_apply, **await call_page_data(ctx, call))


PUBLIC_ROUTES = [public_grants, public_call]
