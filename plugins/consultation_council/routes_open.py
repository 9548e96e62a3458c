"""The council's pages anyone may read without logging in (mounted under ``/d/{district}/public/``).

Resolutions while they are published for objections (their text and until when one may
object), and the calendar of the meetings to come.
"""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get
from sqlalchemy import select

from core.plugin_api import RequestContext, page
from plugins.consultation_council import meetings
from plugins.consultation_council.models import Council, Resolution
from plugins.consultation_council.resolutions import texts, window_open

__all__ = ("OPEN_ROUTES",)


@get("/council", name="council:public")
async def public_council(request: Request[Any, Any, Any], ctx: RequestContext) -> Response[Any]:
    """Resolutions in their objection window and the meeting calendar, for anyone."""
    query = select(Resolution).where(Resolution.status == "published").order_by(Resolution.objection_until)
    rows = [r for r in (await ctx.session.execute(query)).scalars() if window_open(r)]
    published = []
    for resolution in rows:
        versions = await texts(ctx.session, resolution.id)
        published.append((resolution, versions[0].body if versions else ""))
    councils = {c.id: c.name for c in (await ctx.session.execute(select(Council))).scalars()}
    return await page(
        request,
        ctx,
        "consultation_council/public.html",
        published=published,
        calendar=await meetings.upcoming(ctx),
        councils=councils,
    )


OPEN_ROUTES = [public_council]
